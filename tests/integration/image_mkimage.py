#!/usr/bin/python3
"""Write container images from layer tarballs, for the image scanner's tests.

usage: image_mkimage.py FORMAT OUT LAYER.tar [LAYER.tar...] [--env K=V]... [--user U]
                        [--port P]... [--no-gzip] [--healthcheck CMD|NONE] [--tag REPO:TAG]
       image_mkimage.py docker-merge OUT DOCKER.tar DOCKER.tar...

FORMAT is oci-layout (OUT is a directory), oci-archive (OUT is a tar of an
OCI layout) or docker-archive (OUT is a tar in the layout of `docker save`).
Layers are given bottom first; each is stored gzip-compressed in the OCI
formats (unless --no-gzip) and as it is in docker-archive. The formats
follow the OCI image-spec (image-layout, manifest, config) and the
docker-save layout (manifest.json with Config/RepoTags/Layers).
--healthcheck sets the config's Healthcheck.Test to ["CMD-SHELL", CMD]
(or ["NONE"], what `HEALTHCHECK NONE` writes); --tag sets the RepoTags of a
docker-archive (default test/image:latest). docker-merge writes one
docker-save archive holding the images of several (manifest.json lists
each of them, in order), like `docker save A B`.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def build(layers, env, user, ports, compress, healthcheck=None):
    """Returns (config bytes, [(blob bytes, diff_id hex)])."""
    blobs = []
    for path in layers:
        with open(path, "rb") as f:
            raw = f.read()
        blob = gzip.compress(raw, compresslevel=6, mtime=0) if compress else raw
        blobs.append((blob, sha256(raw)))
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": env, "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for _, d in blobs]},
        "history": [{"created_by": "image_mkimage.py"} for _ in blobs],
    }
    if user is not None:
        config["config"]["User"] = user
    if ports:
        config["config"]["ExposedPorts"] = {p: {} for p in ports}
    if healthcheck == "NONE":
        config["config"]["Healthcheck"] = {"Test": ["NONE"]}
    elif healthcheck is not None:
        config["config"]["Healthcheck"] = {"Test": ["CMD-SHELL", healthcheck], "Interval": 30000000000}
    return json.dumps(config, sort_keys=True).encode(), blobs


def oci_files(config, blobs, compress):
    """The files of an OCI layout as {relative path: bytes}."""
    files = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    ltype = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress else "")
    layers = []
    for blob, _ in blobs:
        d = sha256(blob)
        files["blobs/sha256/" + d] = blob
        layers.append({"mediaType": ltype, "digest": "sha256:" + d, "size": len(blob)})
    files["blobs/sha256/" + sha256(config)] = config
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + sha256(config), "size": len(config)},
        "layers": layers,
    }, sort_keys=True).encode()
    files["blobs/sha256/" + sha256(manifest)] = manifest
    files["index.json"] = json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + sha256(manifest), "size": len(manifest),
                       "annotations": {"org.opencontainers.image.ref.name": "debian"}}],
    }, sort_keys=True).encode()
    return files


def docker_files(config, blobs, tag="test/image:latest"):
    files = {}
    cname = sha256(config) + ".json"
    files[cname] = config
    names = []
    for blob, diff in blobs:
        name = diff + "/layer.tar"
        files[name] = blob
        names.append(name)
    files["manifest.json"] = json.dumps(
        [{"Config": cname, "RepoTags": [tag], "Layers": names}]).encode()
    return files


def docker_merge(out, archives):
    """One docker-save archive with the files and images of @archives."""
    files, images = {}, []
    for path in archives:
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile():
                    data = t.extractfile(m).read()
                    if m.name == "manifest.json":
                        images.extend(json.loads(data))
                    else:
                        files[m.name] = data
    files["manifest.json"] = json.dumps(images).encode()
    write_tar(out, files)


def write_tar(out, files):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for name in sorted(files):
            data = files[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))


def main(argv):
    if argv and argv[0] == "docker-merge":
        if len(argv) < 4:
            sys.stderr.write(__doc__)
            return 2
        docker_merge(argv[1], argv[2:])
        return 0
    args, env, user, ports, compress = [], [], None, [], True
    healthcheck, tag = None, "test/image:latest"
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--env":
            env.append(argv[i + 1]); i += 2
        elif a == "--user":
            user = argv[i + 1]; i += 2
        elif a == "--port":
            ports.append(argv[i + 1]); i += 2
        elif a == "--healthcheck":
            healthcheck = argv[i + 1]; i += 2
        elif a == "--tag":
            tag = argv[i + 1]; i += 2
        elif a == "--no-gzip":
            compress = False; i += 1
        else:
            args.append(a); i += 1
    if len(args) < 3:
        sys.stderr.write(__doc__)
        return 2
    fmt, out, layers = args[0], args[1], args[2:]
    config, blobs = build(layers, env, user, ports, compress and fmt != "docker-archive", healthcheck)
    if fmt == "oci-layout":
        for name, data in oci_files(config, blobs, compress).items():
            path = os.path.join(out, name)
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    elif fmt == "oci-archive":
        write_tar(out, oci_files(config, blobs, compress))
    elif fmt == "docker-archive":
        write_tar(out, docker_files(config, blobs, tag))
    else:
        sys.stderr.write("unknown format %s\n" % fmt)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
