#!/usr/bin/env python3
"""Write policies/kubernetes/pss.json: the Kubernetes Pod Security Standards
(baseline and restricted) as parapet rules, one per control and per workload
type (k8s.pod judges the pod spec at `spec`, k8s.deployment at
`spec.template.spec`; the other workload kinds are normalised to k8s.pod).

The controls and their allowed values follow the Pod Security Standards page
of the Kubernetes documentation (v1.31):
https://kubernetes.io/docs/concepts/security/pod-security-standards/
Every container list is judged: containers, initContainers and
ephemeralContainers. Controls already covered by rules of workloads.json
(privileged, host namespaces, hostPath, privilege escalation, running as
root, dangerous capabilities) are not repeated here.

    python3 contrib/policy-gen/k8s_pss.py           # rewrite pss.json
    python3 contrib/policy-gen/k8s_pss.py --check   # fail when it is stale
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "policies", "kubernetes", "pss.json")
PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

BASELINE_CAPS = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
                 "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
SAFE_SYSCTLS = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"]
SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]
RESTRICTED_VOLUMES = ["name", "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"]

TYPES = {
    "k8s.pod": ("Pod", "resource.data.spec", ["spec"], "core/pods"),
    "k8s.deployment": ("Deployment", "resource.data.spec.template.spec", ["spec", "template", "spec"],
                       "apps/deployments"),
}


def lst(items):
    return "[" + ", ".join("'%s'" % i for i in items) + "]"


def all_containers(s):
    return ("((has(%s.containers) ? %s.containers : []) + (has(%s.initContainers) ? %s.initContainers : []) + "
            "(has(%s.ephemeralContainers) ? %s.ephemeralContainers : []))" % (s, s, s, s, s, s))


def csc(field):
    """has(c.securityContext.FIELD...) guard chain for a container `c`."""
    parts = field.split(".")
    guards = ["has(c.securityContext)"]
    path = "c.securityContext"
    for p in parts:
        path += "." + p
        guards.append("has(%s)" % path)
    return " && ".join(guards), path


def psc(s, field):
    parts = field.split(".")
    guards = ["has(%s.securityContext)" % s]
    path = s + ".securityContext"
    for p in parts:
        path += "." + p
        guards.append("has(%s)" % path)
    return " && ".join(guards), path


# Each control: id suffix, title, severity, level, description, violation(s),
# offenders(s) (a CEL list of names for message/evidence), remediation.
def controls():
    out = []

    def add(**kw):
        out.append(kw)

    def hostprocess(s):
        pg, pp = psc(s, "windowsOptions.hostProcess")
        cg, cp = csc("windowsOptions.hostProcess")
        return ("(%s && %s == true) || %s.exists(c, %s && %s == true)" % (pg, pp, all_containers(s), cg, cp),
                "%s.filter(c, %s && %s == true).map(c, c.name)" % (all_containers(s), cg, cp))
    add(id="host-process", title="runs a Windows HostProcess container", severity="critical", level="baseline",
        description="A Windows HostProcess container runs directly on the node with its privileges; the "
                    "baseline Pod Security Standard forbids it.",
        expr=hostprocess, fix="Remove securityContext.windowsOptions.hostProcess (or set it to false) from the pod "
                              "and every container.")

    def caps_baseline(s):
        g, p = csc("capabilities.add")
        bad = "%s.exists(x, !(x.upperAscii().replace('CAP_', '') in %s))" % (p, lst(BASELINE_CAPS))
        return ("%s.exists(c, %s && %s)" % (all_containers(s), g, bad),
                "%s.filter(c, %s && %s).map(c, c.name)" % (all_containers(s), g, bad))
    add(id="capabilities-beyond-baseline", title="adds Linux capabilities beyond the baseline set",
        severity="medium", level="baseline",
        description="The baseline Pod Security Standard allows adding only " + ", ".join(BASELINE_CAPS) +
                    "; anything else (NET_RAW, SYS_ADMIN, ALL...) widens what a compromised container can do "
                    "to the node and its neighbours.",
        expr=caps_baseline, fix="Add only the capabilities of the baseline set, and drop ALL first.")

    def host_ports(s):
        bad = "has(c.ports) && c.ports.exists(p, has(p.hostPort) && p.hostPort != 0)"
        return ("%s.exists(c, %s)" % (all_containers(s), bad),
                "%s.filter(c, %s).map(c, c.name)" % (all_containers(s), bad))
    add(id="host-ports", title="binds container ports on the node (hostPort)", severity="medium",
        level="baseline",
        description="A hostPort exposes the container on the node's own address, bypassing Services and most "
                    "network policies, and limits scheduling; the baseline standard forbids it.",
        expr=host_ports, fix="Remove hostPort and publish the port through a Service.")

    def unconfined(field):
        """The profile @field is Unconfined on the pod or on a container."""
        def expr(s):
            pg, pp = psc(s, field)
            cg, cp = csc(field)
            return ("(%s && %s == 'Unconfined') || %s.exists(c, %s && %s == 'Unconfined')"
                    % (pg, pp, all_containers(s), cg, cp),
                    "%s.filter(c, %s && %s == 'Unconfined').map(c, c.name)" % (all_containers(s), cg, cp))
        return expr
    apparmor = unconfined("appArmorProfile.type")
    add(id="apparmor-unconfined", title="turns AppArmor off (Unconfined profile)", severity="medium",
        level="baseline",
        description="An Unconfined AppArmor profile removes the mandatory access control the runtime's "
                    "default profile gives; the baseline standard allows only RuntimeDefault or Localhost.",
        expr=apparmor, fix="Set appArmorProfile.type to RuntimeDefault (or Localhost with a reviewed profile).")

    def selinux(s):
        def bad(o):
            return ("(has(%s.type) && !(%s.type in %s)) || has(%s.user) || has(%s.role)"
                    % (o, o, lst(SELINUX_TYPES), o, o))
        pg, pp = psc(s, "seLinuxOptions")
        cg, cp = csc("seLinuxOptions")
        return ("(%s && (%s)) || %s.exists(c, %s && (%s))" % (pg, bad(pp), all_containers(s), cg, bad(cp)),
                "%s.filter(c, %s && (%s)).map(c, c.name)" % (all_containers(s), cg, bad(cp)))
    add(id="selinux-custom-options", title="sets a custom SELinux user, role or type", severity="medium",
        level="baseline",
        description="Custom SELinux options can place the container in a privileged domain; the baseline "
                    "standard allows only the types " + ", ".join(SELINUX_TYPES) + " and no user or role.",
        expr=selinux, fix="Remove seLinuxOptions.user and .role and use one of the container_* types.")

    def proc_mount(s):
        g, p = csc("procMount")
        return ("%s.exists(c, %s && %s != 'Default')" % (all_containers(s), g, p),
                "%s.filter(c, %s && %s != 'Default').map(c, c.name)" % (all_containers(s), g, p))
    add(id="proc-mount-unmasked", title="unmasks /proc (procMount other than Default)", severity="high",
        level="baseline",
        description="An Unmasked /proc exposes kernel interfaces the runtime normally hides; the baseline "
                    "standard requires the Default proc mount.",
        expr=proc_mount, fix="Remove securityContext.procMount or set it to Default.")

    seccomp_unconfined = unconfined("seccompProfile.type")
    add(id="seccomp-unconfined", title="turns seccomp off (Unconfined profile)", severity="medium",
        level="baseline",
        description="With an Unconfined seccomp profile every system call reaches the kernel, including the "
                    "rarely used ones most container escapes rely on; the baseline standard forbids it.",
        expr=seccomp_unconfined, fix="Set seccompProfile.type to RuntimeDefault on the pod.")

    def sysctls(s):
        g, p = psc(s, "sysctls")
        bad = "%s.filter(x, !has(x.name) || !(x.name in %s))" % (p, lst(SAFE_SYSCTLS))
        return ("%s && %s.exists(x, !has(x.name) || !(x.name in %s))" % (g, p, lst(SAFE_SYSCTLS)),
                "(%s) ? %s.map(x, has(x.name) ? x.name : '?') : []" % (g, bad))
    add(id="unsafe-sysctls", title="sets sysctls outside the safe set", severity="medium", level="baseline",
        description="Sysctls outside the namespaced safe set change kernel behaviour for the whole node; the "
                    "baseline standard allows only " + ", ".join(SAFE_SYSCTLS) + ".",
        expr=sysctls, fix="Remove the unsafe sysctls, or run the workload on dedicated, tainted nodes "
                          "configured for them.")

    def volumes(s):
        bad = "!v.all(k, k in %s)" % lst(RESTRICTED_VOLUMES)
        return ("has(%s.volumes) && %s.volumes.exists(v, %s)" % (s, s, bad),
                "has(%s.volumes) ? %s.volumes.filter(v, %s).map(v, has(v.name) ? v.name : '?') : []"
                % (s, s, bad))
    add(id="restricted-volume-types", title="mounts volume types the restricted standard forbids",
        severity="low", level="restricted",
        description="The restricted standard allows only configMap, csi, downwardAPI, emptyDir, ephemeral, "
                    "persistentVolumeClaim, projected and secret volumes; others (hostPath, nfs, iscsi, "
                    "cephfs...) reach storage outside the pod's control.",
        expr=volumes, fix="Use a PersistentVolumeClaim (or another allowed type) instead of the direct volume "
                          "source.")

    def seccomp_required(s):
        pg, pp = psc(s, "seccompProfile.type")
        cg, cp = csc("seccompProfile.type")
        ok_pod = "(%s && %s in ['RuntimeDefault', 'Localhost'])" % (pg, pp)
        ok_c = "(%s && %s in ['RuntimeDefault', 'Localhost'])" % (cg, cp)
        unset_c = "!(%s)" % cg
        bad = "!(%s || (%s && %s))" % (ok_c, unset_c, ok_pod)
        return ("%s.exists(c, %s)" % (all_containers(s), bad),
                "%s.filter(c, %s).map(c, c.name)" % (all_containers(s), bad))
    add(id="seccomp-not-enforced", title="does not set a RuntimeDefault or Localhost seccomp profile",
        severity="low", level="restricted",
        description="The restricted standard requires every container to run under a seccomp profile "
                    "(RuntimeDefault or Localhost), set on the pod or on each container.",
        expr=seccomp_required, fix="Set spec.securityContext.seccompProfile.type: RuntimeDefault.")

    def caps_restricted(s):
        g_drop, p_drop = csc("capabilities.drop")
        g_add, p_add = csc("capabilities.add")
        bad = ("!(%s && %s.exists(x, x.upperAscii() == 'ALL')) || (%s && %s.exists(x, "
               "x.upperAscii().replace('CAP_', '') != 'NET_BIND_SERVICE'))" % (g_drop, p_drop, g_add, p_add))
        return ("%s.exists(c, %s)" % (all_containers(s), bad),
                "%s.filter(c, %s).map(c, c.name)" % (all_containers(s), bad))
    add(id="capabilities-not-dropped", title="does not drop ALL capabilities", severity="low",
        level="restricted",
        description="The restricted standard requires each container to drop ALL capabilities and add back "
                    "at most NET_BIND_SERVICE.",
        expr=caps_restricted, fix="Set securityContext.capabilities.drop: [\"ALL\"] on every container, adding "
                                  "back only NET_BIND_SERVICE when needed.")
    return out


def guard(chain):
    out = []
    path = "resource.data"
    out.append("has(resource.data.metadata)")
    for p in chain:
        path += "." + p
        out.append("has(%s)" % path)
    return " && ".join(out)


def example(rtype, name, ns, spec):
    kind, _, chain, res = TYPES[rtype]
    group, plural = res.split("/")
    data = {"apiVersion": "v1" if kind == "Pod" else "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": ns}}
    if kind == "Pod":
        data["spec"] = spec
    else:
        data["spec"] = {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}
    return {"uid": "k8s://acme-prod-eu/%s/%s/%s/%s" % (group, plural, ns, name), "type": rtype, "provider": "k8s",
            "account": "acme-prod-eu", "region": "eu-west-1", "name": name, "data": data}


def c(name, **sc):
    out = {"name": name, "image": "registry.acme.example/%s:1.0" % name}
    if sc:
        out["securityContext"] = sc
    return out


GOOD_SC = {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
           "seccompProfile": {"type": "RuntimeDefault"}}


def good_spec():
    return {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [c("app", **GOOD_SC)],
            "volumes": [{"name": "config", "configMap": {"name": "app"}}]}


BAD_SPECS = {
    "host-process": {"securityContext": {"windowsOptions": {"hostProcess": True}}, "containers": [c("agent")]},
    "capabilities-beyond-baseline": {"containers": [c("app", **GOOD_SC)],
                                     "initContainers": [c("net-setup", capabilities={"add": ["NET_ADMIN"]})]},
    "host-ports": {"containers": [{"name": "proxy", "image": "registry.acme.example/proxy:1.0",
                                   "ports": [{"containerPort": 8080, "hostPort": 80, "protocol": "TCP"}]}]},
    "apparmor-unconfined": {"containers": [c("app", appArmorProfile={"type": "Unconfined"})]},
    "selinux-custom-options": {"securityContext": {"seLinuxOptions": {"type": "spc_t"}},
                               "containers": [c("app")]},
    "proc-mount-unmasked": {"containers": [c("builder", procMount="Unmasked")]},
    "seccomp-unconfined": {"securityContext": {"seccompProfile": {"type": "Unconfined"}},
                           "containers": [c("app")]},
    "unsafe-sysctls": {"securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "4096"}]},
                       "containers": [c("app")]},
    "restricted-volume-types": {"containers": [c("app", **GOOD_SC)],
                                "volumes": [{"name": "shared", "nfs": {"server": "192.0.2.10", "path": "/exports"}}]},
    "seccomp-not-enforced": {"containers": [c("app", allowPrivilegeEscalation=False, runAsNonRoot=True,
                                              capabilities={"drop": ["ALL"]})]},
    "capabilities-not-dropped": {"securityContext": {"runAsNonRoot": True,
                                                     "seccompProfile": {"type": "RuntimeDefault"}},
                                 "containers": [c("app", allowPrivilegeEscalation=False,
                                                  capabilities={"add": ["NET_BIND_SERVICE"]})]},
}


def rules():
    out = []
    for ctl in controls():
        for rtype, (kind, s, chain, _) in TYPES.items():
            violation, offenders = ctl["expr"](s)
            word = "Pod" if kind == "Pod" else "Deployment"
            rid = "k8s-%s-%s" % ("pod" if kind == "Pod" else "deployment", ctl["id"])
            out.append({
                "id": rid,
                "title": "%s %s" % (word, ctl["title"]),
                "description": ctl["description"],
                "resource_type": rtype,
                "severity": ctl["severity"],
                "applies": guard(chain),
                "violation": violation,
                "message": "%s {{resource.data.metadata.namespace}}/{{resource.data.metadata.name}} %s "
                           "(Pod Security Standards, %s): {{(%s).join(', ')}}"
                           % (word, ctl["title"], ctl["level"], offenders),
                "evidence": {"offending": offenders, "level": "'%s'" % ctl["level"]},
                "remediation": {
                    "text": ctl["fix"] + " Enforce the %s standard on the namespace with Pod Security "
                                         "Admission." % ctl["level"],
                    "cli": "kubectl label namespace {{resource.data.metadata.namespace}} "
                           "pod-security.kubernetes.io/enforce=%s" % ctl["level"],
                },
                "references": [PSS],
                "examples": {
                    "fail": [example(rtype, "bad-" + ctl["id"], "apps", BAD_SPECS[ctl["id"]])],
                    "pass": [example(rtype, "good-" + ctl["id"], "apps", good_spec())],
                },
            })
    return out


def main():
    text = json.dumps({"format": 1, "rules": rules()}, indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv[1:]:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit("k8s_pss.py: policies/kubernetes/pss.json is stale: run contrib/policy-gen/k8s_pss.py")
        return
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote %s: %d rules" % (os.path.relpath(OUT), len(rules())))


if __name__ == "__main__":
    main()
