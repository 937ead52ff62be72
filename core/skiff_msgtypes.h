/* Every bus message type, in one place. Numbers are never reused; a retired
 * type keeps its line, marked retired. Each line says who sends it to whom
 * and what its body (one msgpack map) holds. */
#ifndef SKIFF_MSGTYPES_H
#define SKIFF_MSGTYPES_H

#define SKIFF_MSG_TYPES(X)                                                                         \
    /* any -> any: liveness check. body {} */                                                      \
    X(PING, 1)                                                                                     \
    /* reply to PING. body {"node": str, "endpoint": str, "uptime": float} */                      \
    X(PONG, 2)                                                                                     \
    /* any -> any: ask the receiver to send the body back. body: any map */                        \
    X(ECHO, 3)                                                                                     \
    /* reply to ECHO. body: the request's body, unchanged */                                       \
    X(ECHO_REPLY, 4)                                                                               \
    /* core -> plugins: this node gained or lost leadership. body {"leader": bool} */              \
    X(LEADER_CHANGED, 5)                                                                           \
    /* any -> sender: the request could not be handled.                                            \
     * body {"code": int, "message": str} */                                                       \
    X(ERROR, 6)

enum skiff_msg_type {
#define SKIFF_MSG_ENUM(name, num) SKIFF_MSG_##name = num,
    SKIFF_MSG_TYPES(SKIFF_MSG_ENUM)
#undef SKIFF_MSG_ENUM
};

#endif
