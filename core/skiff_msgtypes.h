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
    X(ERROR, 6)                                                                                    \
    /* Node HTTP (core/node_http.h): API -> a node's "core.node-http". A request for the           \
     * plugin serving the path's prefix. body {"sid": uint (requester's stream id),                \
     * "method": str, "path": str, "query": str, "ctype": str, "blen": uint (whole body),          \
     * "window": uint (unacknowledged bytes allowed), "body": bin (first <= 256 KiB)} */           \
    X(NODE_HTTP_REQ, 7)                                                                            \
    /* API -> node: more of a request body, in order.                                              \
     * body {"sid": uint, "off": uint (offset in the body), "data": bin (<= 256 KiB)} */           \
    X(NODE_HTTP_BODY, 8)                                                                           \
    /* node -> API: the response starts. body {"sid": uint, "status": int, "ctype": str,           \
     * and, when the response is complete and small (<= 64 KiB): "length": uint, "data": bin,      \
     * the whole body, and no DATA or END follows} */                                              \
    X(NODE_HTTP_HEAD, 9)                                                                           \
    /* node -> API: response bytes, in order. body {"sid": uint, "data": bin (<= 64 KiB)} */       \
    X(NODE_HTTP_DATA, 10)                                                                          \
    /* node -> API: the response ended. body {"sid": uint, "code": int (0 complete, else an HTTP   \
     * status saying why it failed), "message": str} */                                            \
    X(NODE_HTTP_END, 11)                                                                           \
    /* API -> node: the HTTP client took this many response bytes in all; the node sends more      \
     * while sent - bytes <= window. body {"sid": uint, "bytes": uint}. On an upgraded stream      \
     * also node -> API: the plugin took this many INPUT bytes in all; the API sends more input    \
     * while sent - bytes <= the request's window */                                               \
    X(NODE_HTTP_ACK, 12)                                                                           \
    /* API -> node: the client went away; the node ends the stream without END.                    \
     * body {"sid": uint} */                                                                       \
    X(NODE_HTTP_CANCEL, 13)                                                                        \
    /* runtime -> images (same node): make an image present for a container, by policy.            \
     * body {"image": str, "policy": str (Always|IfNotPresent|Never), "namespace": str (for        \
     * pull secrets), "secrets": [str] (imagePullSecrets names)} */                                \
    X(IMAGE_ENSURE, 14)                                                                            \
    /* images -> runtime: reply to IMAGE_ENSURE. body {"ok": bool, "pulled": bool,                 \
     * "reason": str (ErrImagePull|ErrImageNeverPull|"" ), "message": str, "imageID": str          \
     * ("docker.io/library/x@sha256:..." as the kubelet shows it), "ref": str, "config": map (the  \
     * image config's "config": Entrypoint, Cmd, Env, WorkingDir, User, ...), "layers": [str]      \
     * (absolute unpacked layer directories, lowest first, for overlayfs)} */                      \
    X(IMAGE_READY, 15)                                                                             \
    /* API -> node: client bytes on an upgraded (bidirectional) node HTTP stream (a REQ with       \
     * "upgrade": 1; pods/exec), in order. body {"sid": uint, "data": bin (one channel frame of    \
     * 1..256 KiB: first byte the channel, as in the k8s.io channel protocols)}. The response      \
     * body of such a stream is frames too, each a 4-byte big-endian length and its bytes */       \
    X(NODE_HTTP_INPUT, 16)

enum skiff_msg_type {
#define SKIFF_MSG_ENUM(name, num) SKIFF_MSG_##name = num,
    SKIFF_MSG_TYPES(SKIFF_MSG_ENUM)
#undef SKIFF_MSG_ENUM
};

#endif
