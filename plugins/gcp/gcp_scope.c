/*
 * gcp_scope.c - which projects a scan covers when gcp.projects is not
 * given: the active projects under an organization or folder (Cloud
 * Resource Manager v3 projects.list / folders.list with parent=, walked
 * depth-first), or every active project the identity can see (v3
 * projects:search). See gcp_ctx.h.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

#define MAX_FOLDER_DEPTH 10
#define MAX_PROJECTS 20000
#define MAX_FOLDERS 20000

typedef struct scope_ctx {
    cJSON *ids;     /* project ids found so far */
    cJSON *folders; /* "folders/N" met at the current level */
    cJSON *seen;    /* every folder met so far: a folder listed twice (or under itself) is walked once */
    unsigned folders_seen;
} scope_ctx;

static int known(const cJSON *ids, const char *id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, ids)
    {
        if (strcmp(it->valuestring, id) == 0)
            return 1;
    }
    return 0;
}

static int add_project(gcp_ctx *c, const cJSON *item, void *ud)
{
    scope_ctx *s = ud;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(item, "projectId"));
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(item, "state"));
    size_t n = id ? strlen(id) : 0;
    if (n < 6 || n > 30 || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != n) {
        gcp_log(c, PP_LOG_WARN, "a project without a valid projectId was skipped");
        return 0;
    }
    if (state && strcmp(state, "ACTIVE") != 0)
        return 0; /* DELETE_REQUESTED: going away, its APIs answer errors */
    if (cJSON_GetArraySize(s->ids) >= MAX_PROJECTS) {
        gcp_log(c, PP_LOG_WARN, "more than %d projects: the rest are left out", MAX_PROJECTS);
        return 1;
    }
    if (!known(s->ids, id))
        cJSON_AddItemToArray(s->ids, cJSON_CreateString(id));
    return 0;
}

static int add_folder(gcp_ctx *c, const cJSON *item, void *ud)
{
    scope_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(item, "state"));
    size_t n = name ? strlen(name) : 0;
    if (n < 9 || n > 40 || strncmp(name, "folders/", 8) != 0 || strspn(name + 8, "0123456789") != n - 8) {
        gcp_log(c, PP_LOG_WARN, "a folder without a valid name was skipped");
        return 0;
    }
    if ((state && strcmp(state, "ACTIVE") != 0) || known(s->seen, name))
        return 0;
    if (++s->folders_seen > MAX_FOLDERS) {
        gcp_log(c, PP_LOG_WARN, "more than %d folders: the rest are left out", MAX_FOLDERS);
        return 1;
    }
    cJSON_AddItemToArray(s->folders, cJSON_CreateString(name));
    cJSON_AddItemToArray(s->seen, cJSON_CreateString(name));
    return 0;
}

/* The projects directly under @parent, then each active folder under it, depth-first. */
static int walk(gcp_ctx *c, scope_ctx *s, const char *parent, int depth, char *err, size_t errlen)
{
    char base[300], url[700], code[120] = "";
    gcp_service_url(c, "cloudresourcemanager", base, sizeof base);
    snprintf(url, sizeof url, "%s/v3/projects?parent=%s&pageSize=%u", base, parent, c->page_size);
    int rc = gcp_list(c, url, "projects", add_project, s, code, sizeof code, err, errlen);
    if (rc == GCP_E_DENIED)
        snprintf(err + strlen(err), errlen - strlen(err), " (resourcemanager.projects.list on %s denied)", parent);
    if (rc != GCP_OK)
        return rc;
    if (depth >= MAX_FOLDER_DEPTH) {
        gcp_log(c, PP_LOG_WARN, "folders deeper than %d levels under %s are left out", MAX_FOLDER_DEPTH, parent);
        return GCP_OK;
    }
    cJSON *saved = s->folders;
    s->folders = cJSON_CreateArray();
    snprintf(url, sizeof url, "%s/v3/folders?parent=%s&pageSize=%u", base, parent, c->page_size);
    rc = gcp_list(c, url, "folders", add_folder, s, code, sizeof code, err, errlen);
    if (rc == GCP_E_DENIED)
        snprintf(err + strlen(err), errlen - strlen(err), " (resourcemanager.folders.list on %s denied)", parent);
    const cJSON *f;
    cJSON_ArrayForEach(f, s->folders)
    {
        if (rc != GCP_OK)
            break;
        rc = walk(c, s, f->valuestring, depth + 1, err, errlen);
    }
    cJSON_Delete(s->folders);
    s->folders = saved;
    return rc;
}

cJSON *gcp_discover_projects(gcp_ctx *c, char *err, size_t errlen)
{
    scope_ctx s = {cJSON_CreateArray(), NULL, cJSON_CreateArray(), 0};
    int rc;
    err[0] = '\0';
    if (c->organization || c->folder) {
        char parent[80];
        snprintf(parent, sizeof parent, "%s/%s", c->organization ? "organizations" : "folders",
                 c->organization ? c->organization : c->folder);
        cJSON_AddItemToArray(s.seen, cJSON_CreateString(parent));
        rc = walk(c, &s, parent, 0, err, errlen);
    } else {
        char base[300], url[700], code[120] = "";
        gcp_service_url(c, "cloudresourcemanager", base, sizeof base);
        snprintf(url, sizeof url, "%s/v3/projects:search?query=state%%3AACTIVE&pageSize=%u", base, c->page_size);
        rc = gcp_list(c, url, "projects", add_project, &s, code, sizeof code, err, errlen);
        if (rc == GCP_E_DENIED)
            snprintf(err + strlen(err), errlen - strlen(err), " (resourcemanager.projects.list denied)");
    }
    cJSON_Delete(s.seen);
    if (rc != GCP_OK && rc != GCP_E_CANCELLED) {
        cJSON_Delete(s.ids);
        return NULL;
    }
    return s.ids;
}
