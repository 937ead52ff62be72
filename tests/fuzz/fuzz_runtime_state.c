/* Fuzz target for the pod runtime's state files read back after an agent
 * restart (plugins/runtime/state.c): ctr-NAME.json and the shim's exit
 * file are outside input (a crash or a damaged disk may leave anything).
 * No crash or leak on any input; an accepted file has a sane attempt, an
 * id a runc id can be, and a known state; a refusal says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/runtime/pod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rt_ctr_state s;
    char msg[256] = "";
    if (rt_state_parse((const char *)data, size, &s, msg, sizeof(msg)) == 0) {
        if (s.attempt < 0 || s.attempt > 1000000 || !s.id[0]) abort();
        if (strspn(s.id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
            strlen(s.id))
            abort();
        if (strcmp(s.state, "running") && strcmp(s.state, "exited") && strcmp(s.state, "waiting"))
            abort();
        if (!(s.backoff >= 0 && s.backoff <= 300)) abort();
        rt_state_free(&s);
    } else if (!msg[0]) {
        abort();
    }
    int code, sig;
    char fin[64], err[256];
    if (rt_exit_parse((const char *)data, size, &code, &sig, fin, sizeof(fin), err, sizeof(err)) ==
        0) {
        if (code < -1 || code > 255 || sig < 0 || sig > 64) abort();
    }
    return 0;
}
