/* `skiff edit`: the object's YAML in $KUBE_EDITOR / $EDITOR (vi by
 * default) under kubectl's comment header, the changes sent as a strategic
 * merge patch, and on an error the file reopened with the failures above
 * it, as kubectl edit does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_write.h"
#include "json.h"
#include "mem.h"
#include "patch.h"
#include "yaml.h"

static const struct sk_cli_flag edit_flags[] = {
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-edit",
         "Name of the manager used to track field ownership."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files to use to edit the resource"},
        {"output", 'o', SK_FLAG_STRING, "yaml",
         "Output format. One of: (json, yaml). The format the object is edited in."},
        {"output-patch", 0, SK_FLAG_BOOL, "false", "Output the patch if the resource is edited."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"save-config", 0, SK_FLAG_BOOL, "false",
         "If true, the configuration of current object will be saved in its annotation. "
         "Otherwise, the annotation will be unchanged. This flag is useful when you want to "
         "perform kubectl apply on this object in the future."},
        {"show-managed-fields", 0, SK_FLAG_BOOL, "false",
         "If true, keep the managedFields when printing objects in JSON or YAML format."},
        {"validate", 0, SK_FLAG_STRING, "strict",
         "Must be one of: strict (or true), warn, ignore (or false). \"true\" or \"strict\" will "
         "use a schema to validate the input and fail the request if invalid."},
        {0},
};

static const char header[] =
        "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
        "# and an empty file will abort the edit. If an error occurs while saving this file will "
        "be\n"
        "# reopened with the relevant failures.\n"
        "#\n";

/* Run the editor on path, as kubectl does: a value with spaces goes
 * through sh -c, else it is executed with the path as its argument. */
static int run_editor(struct sk_cli *c, const char *path)
{
    const char *ed = getenv("KUBE_EDITOR");
    if (!ed || !*ed) ed = getenv("EDITOR");
    if (!ed || !*ed) ed = "vi";
    fflush(c->out);
    fflush(c->err);
    pid_t pid = fork();
    if (pid < 0)
        return sk_cli_fail(c, "unable to launch the editor \"%s\": %s", ed, strerror(errno));
    if (pid == 0) {
        if (strchr(ed, ' ')) {
            char *cmd = sk_xasprintf("%s \"%s\"", ed, path);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        } else {
            execlp(ed, ed, path, (char *)NULL);
        }
        fprintf(stderr, "error: unable to launch the editor \"%s\": %s\n", ed, strerror(errno));
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return sk_cli_fail(c, "there was a problem with the editor \"%s\"", ed);
    return 0;
}

/* The file's text without comment lines (kubectl's manual strip). */
static char *strip_comments(const char *text)
{
    struct sk_buf b = {0};
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t'))
            q++;
        if (*q != '#') sk_buf_append(&b, p, len);
        p += len;
    }
    return sk_buf_take(&b, NULL);
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    struct sk_buf b = {0};
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        sk_buf_append(&b, tmp, n);
    fclose(f);
    return sk_buf_take(&b, NULL);
}

/* "# line\n" for each line of msg. */
static void comment_lines(struct sk_buf *b, const char *msg)
{
    const char *p = msg;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        sk_buf_puts(b, "# ");
        sk_buf_append(b, p, len);
        sk_buf_putc(b, '\n');
        p += len + (nl ? 1 : 0);
    }
}

/* kubectl's header for a failed save: Invalid answers list their causes. */
static char *failure_header(const struct sk_cliw_info *it, const struct sk_kresp *r)
{
    struct sk_buf b = {0};
    struct sk_val *st = NULL;
    if (r->body) sk_json_parse(r->body, r->body_len, &st, NULL);
    const char *reason = sk_val_str_at(st, "reason", NULL);
    const struct sk_val *causes = sk_val_at(st, "details", "causes", NULL);
    if (reason && !strcmp(reason, "Invalid") && sk_arr_len(causes)) {
        char rg[128];
        sk_cliw_resource_group(it->kind, rg, sizeof(rg));
        sk_buf_printf(&b, "# %s \"%s\" was not valid:\n", rg, it->name);
        for (size_t i = 0; i < sk_arr_len(causes); i++) {
            const struct sk_val *cs = sk_arr_get(causes, i);
            sk_buf_printf(&b, "# * %s: %s\n", sk_val_str_at(cs, "field", NULL) ?: "",
                          sk_val_str_at(cs, "message", NULL) ?: "");
        }
    } else {
        char *line = sk_kclient_error_line(r);
        comment_lines(&b, line);
        free(line);
    }
    sk_buf_puts(&b, "#\n");
    sk_val_free(st);
    return sk_buf_take(&b, NULL);
}

static char *render(struct sk_cli *c, const struct sk_val *obj)
{
    struct sk_val *s = sk_cli_sorted(obj);
    char *out;
    const char *fmt = sk_cli_str(c, "output");
    if (fmt && !strcmp(fmt, "json")) {
        struct sk_buf b = {0};
        sk_json_write(s, SK_JSON_PRETTY, &b);
        sk_buf_putc(&b, '\n');
        out = sk_buf_take(&b, NULL);
    } else {
        out = sk_yaml_dump(s, NULL);
    }
    sk_val_free(s);
    return out;
}

/* Edit one object. 0 when saved or cancelled, 1 on an error (printed). */
static int edit_one(struct sk_cli *c, struct sk_cliw_info *it, const char *tmpdir)
{
    struct sk_val *orig = sk_val_dup(it->obj);
    if (!sk_cli_bool(c, "show-managed-fields")) {
        struct sk_val *md = sk_map_get(orig, "metadata");
        if (md) sk_map_del(md, "managedFields");
    }
    const char *fmt = sk_cli_str(c, "output");
    bool json = fmt && !strcmp(fmt, "json");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "yaml")) {
        sk_val_free(orig);
        return sk_cli_fail(c, "the edit mode \"%s\" is not supported", fmt);
    }
    char *path = sk_xasprintf("%s/skiff-edit-XXXXXX.%s", tmpdir, json ? "json" : "yaml");
    int fd = mkstemps(path, json ? 5 : 5);
    if (fd < 0) {
        int rc =
                sk_cli_fail(c, "cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
        free(path);
        sk_val_free(orig);
        return rc;
    }
    close(fd);
    char *body = render(c, orig);
    char *errhdr = NULL;  /* failures of the last save, shown above the object */
    char *last = NULL;    /* what the user saved last time (stripped) */
    char *lasterr = NULL; /* kubectl's one-line summary of the last failure */
    int rc = 0;
    for (;;) {
        struct sk_buf f = {0};
        sk_buf_puts(&f, header);
        if (errhdr) sk_buf_puts(&f, errhdr);
        sk_buf_puts(&f, body);
        char *text = sk_buf_take(&f, NULL);
        write_file(path, text);
        free(text);
        if ((rc = run_editor(c, path))) break;
        char *edited = read_all(path);
        char *stripped = strip_comments(edited ? edited : "");
        free(edited);
        if (blank(stripped)) {
            fprintf(c->err, "Edit cancelled, no changes made.\n");
            free(stripped);
            break;
        }
        if (errhdr && last && !strcmp(last, stripped)) {
            /* reopened after an error and saved unchanged: give up as kubectl does */
            if (lasterr) fprintf(c->err, "%s\n", lasterr);
            fprintf(c->err, "A copy of your changes has been stored to \"%s\"\n", path);
            fprintf(c->err, "error: Edit cancelled, no valid changes were saved.\n");
            free(stripped);
            free(path);
            path = NULL;
            rc = 1;
            break;
        }
        free(last);
        last = stripped;
        struct sk_val *nu = NULL;
        struct sk_error *e = NULL;
        sk_err perr = json ? sk_json_parse(last, strlen(last), &nu, &e)
                           : sk_yaml_parse_one(last, strlen(last), NULL, &nu, &e);
        free(body);
        body = sk_xstrdup(last);
        free(errhdr);
        errhdr = NULL;
        if (perr) {
            struct sk_buf h = {0};
            sk_buf_printf(&h,
                          "# The edited file had a syntax error: error converting YAML to "
                          "JSON: yaml: %s\n#\n",
                          sk_error_msg(e, perr));
            errhdr = sk_buf_take(&h, NULL);
            sk_error_free(e);
            sk_val_free(nu);
            continue;
        }
        if (sk_val_equal(nu, orig)) {
            fprintf(c->err, "Edit cancelled, no changes made.\n");
            sk_val_free(nu);
            break;
        }
        const char *fields[] = {"apiVersion", "kind"};
        bool changed_id = strcmp(sk_obj_name(nu) ?: "", sk_obj_name(orig) ?: "") != 0;
        for (int i = 0; i < 2; i++)
            changed_id |= !sk_val_equal(sk_map_get(nu, fields[i]), sk_map_get(orig, fields[i]));
        if (changed_id) {
            fprintf(c->err, "A copy of your changes has been stored to \"%s\"\n", path);
            fprintf(c->err, "error: At least one of apiVersion, kind and name was changed\n");
            free(path);
            path = NULL;
            sk_val_free(nu);
            rc = 1;
            break;
        }
        if (sk_cli_bool(c, "save-config")) {
            struct sk_val *m = sk_apply_modified(nu);
            sk_val_free(nu);
            nu = m;
        }
        struct sk_patch_schema ps = sk_patch_schema_for_kind(it->kind);
        struct sk_val *patch = NULL;
        if (sk_strategic_diff(orig, nu, &ps, &patch, &e)) {
            struct sk_buf h = {0};
            sk_buf_printf(&h, "# error: %s\n#\n", sk_error_msg(e, SK_EINVAL));
            errhdr = sk_buf_take(&h, NULL);
            sk_error_free(e);
            sk_val_free(nu);
            continue;
        }
        if (sk_cli_bool(c, "output-patch")) {
            char *pj = sk_json_dump(patch, SK_JSON_COMPACT, NULL);
            fprintf(c->out, "Patch: %s\n", pj);
            free(pj);
        }
        const char *v = sk_cli_str(c, "validate");
        const char *fv = !v || !strcmp(v, "strict") || !strcmp(v, "true") ? "Strict"
                         : !strcmp(v, "warn")                             ? "Warn"
                                                                          : "Ignore";
        char *q = sk_cliw_query("fieldManager", sk_cli_str(c, "field-manager"), "fieldValidation",
                                fv, NULL);
        char *rpath = sk_cli_path(it->kind, it->ns, it->name, NULL, q + 1);
        free(q);
        struct sk_kresp r = {0};
        int st = sk_cliw_call(c, "PATCH", rpath, "application/strategic-merge-patch+json", patch,
                              NULL, &r);
        free(rpath);
        sk_val_free(patch);
        sk_val_free(nu);
        if (st == 1) {
            rc = 1;
            break;
        }
        if (st == 2) {
            errhdr = failure_header(it, &r);
            free(lasterr);
            char *reason = sk_cliw_reason(&r);
            if (!strcmp(reason, "Invalid")) {
                char rg[128];
                sk_cliw_resource_group(it->kind, rg, sizeof(rg));
                lasterr = sk_xasprintf("error: %s \"%s\" is invalid", rg, it->name);
            } else {
                lasterr = sk_kclient_error_line(&r);
            }
            free(reason);
            sk_kresp_free(&r);
            continue;
        }
        sk_cli_print_action(c, it->kind, it->name, "edited", NULL);
        break;
    }
    if (path) unlink(path);
    free(path);
    free(last);
    free(lasterr);
    free(errhdr);
    free(body);
    sk_val_free(orig);
    return rc;
}

static int edit_run(struct sk_cli *c)
{
    struct sk_cliw_sel s = {
            .files = sk_cli_strs(c, "filename"),
            .recursive = sk_cli_bool(c, "recursive"),
            .fetch = true,
            .names_required = true,
    };
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    if (sk_cliw_collect(c, c->args, c->nargs, &s, &in, &errs, NULL) || errs.n) {
        sk_cliw_infos_free(&in);
        sk_cliw_errs_flush(c, &errs);
        return 1;
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    int rc = 0;
    for (size_t i = 0; i < in.n && !rc; i++)
        rc = edit_one(c, &in.v[i], tmp);
    sk_cliw_infos_free(&in);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_edit = {
        .name = "edit",
        .short_help = "Edit a resource on the server",
        .long_help = "Edit a resource from the default editor.\n\n The edit command allows you to "
                     "directly edit any API resource you can retrieve via the command-line tools. "
                     "It will open the editor defined by your KUBE_EDITOR, or EDITOR environment "
                     "variables, or fall back to 'vi' for Linux. When attempting to open the "
                     "editor, it will first attempt to use the shell that has been defined in the "
                     "'SHELL' environment variable. If this is not defined, the default shell "
                     "will be used, which is '/bin/bash' for Linux.\n\n You can edit multiple "
                     "objects, although changes are applied one at a time. The command accepts "
                     "file names as well as command-line arguments, although the files you point "
                     "to must be previously saved versions of resources.\n\n Editing is done with "
                     "the API version used to fetch the resource. The default format is YAML. To "
                     "edit in JSON, specify \"-o json\".\n\n In the event an error occurs while "
                     "updating, the file is reopened with the relevant failures listed at the "
                     "top; if you save it unchanged, a copy of your changes is kept in a "
                     "temporary file.",
        .usage = "skiff edit (RESOURCE/NAME | -f FILENAME)",
        .examples = "  # Edit the service named 'registry'\n"
                    "  skiff edit svc/registry\n\n"
                    "  # Use an alternative editor\n"
                    "  KUBE_EDITOR=\"nano\" skiff edit svc/registry\n\n"
                    "  # Edit the deployment 'mydeployment' in YAML and save the modified config "
                    "in its annotation\n"
                    "  skiff edit deployment/mydeployment -o yaml --save-config",
        .flags = edit_flags,
        .run = edit_run,
};
