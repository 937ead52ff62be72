/* The CRI container log format, written by the shim and read by the node
 * side of pods/log: "2026-11-26T01:02:03.123456789Z stdout F text\n", "P"
 * for a part of a line that goes on in the next record. Pure functions, no
 * allocation, callable from any thread. Private to plugins/runtime. */
#ifndef RT_CRILOG_H
#define RT_CRILOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A line longer than this is written as P records of this size. */
#define RT_CRI_MAX_MSG (16 * 1024)
/* The longest record header: timestamp, stream, tag and spaces. */
#define RT_CRI_HDR_MAX 48
/* Bytes of "2026-11-26T01:02:03.123456789Z" plus its NUL. */
#define RT_CRI_TS_LEN 31

/* The fixed-width RFC 3339 UTC timestamp with nanoseconds that containerd
 * writes (RFC3339NanoFixed). buf holds RT_CRI_TS_LEN bytes. Returns 30. */
size_t rt_cri_time(const struct timespec *ts, char *buf);

/* Go's time.RFC3339Nano form of the same instant, trailing zeros of the
 * fraction removed (what the kubelet prints for --timestamps). buf holds
 * RT_CRI_TS_LEN bytes. Returns the length. */
size_t rt_cri_time_go(int64_t sec, long nsec, char *buf);

/* The header of one record, "TS STREAM TAG ", into hdr (RT_CRI_HDR_MAX
 * bytes). stream is "stdout" or "stderr". Returns its length. */
size_t rt_cri_header(char *hdr, const struct timespec *ts, const char *stream, bool partial);

/* One parsed record; the pointers point into the parsed bytes. */
struct rt_cri_rec {
    int64_t sec; /* Unix time of the timestamp */
    long nsec;
    bool is_stderr;
    bool partial;    /* "P": the message goes on in the next record */
    const char *msg; /* the message, without the record's newline */
    size_t msg_len;
};

/* Parse one record (line without its '\n'). Accepts any RFC 3339 timestamp
 * (offset or Z, 0..9 fraction digits), stream stdout or stderr, tag F or P
 * (a record without tag, as older writers made, is full). Returns 0, or -1
 * when the bytes are not a record. */
int rt_cri_parse(const char *line, size_t n, struct rt_cri_rec *out);

/* Parse an RFC 3339 timestamp of exactly n bytes into Unix seconds and
 * nanoseconds. Returns 0 or -1. */
int rt_rfc3339_parse(const char *s, size_t n, int64_t *sec, long *nsec);

/* The name of rotated file number i (1 = the newest) of FILE: "FILE.i".
 * Returns 0, or -1 when it does not fit in cap. */
int rt_cri_rotated(char *out, size_t cap, const char *file, int i);

/* Splits a byte stream into records: lines up to RT_CRI_MAX_MSG bytes are
 * full records, longer lines become P records of RT_CRI_MAX_MSG bytes, and
 * bytes left at the end of the stream a P record (as containerd does). One
 * fixed buffer; no allocation. */
struct rt_cri_splitter {
    char buf[RT_CRI_MAX_MSG];
    size_t len;
};
/* emit(arg, msg, len, partial) for each record the bytes complete. */
typedef void (*rt_cri_emit_fn)(void *arg, const char *msg, size_t len, bool partial);
void rt_cri_split(struct rt_cri_splitter *sp, const char *p, size_t n, rt_cri_emit_fn emit,
                  void *arg);
/* End of stream: what is buffered goes out as a P record. */
void rt_cri_split_end(struct rt_cri_splitter *sp, rt_cri_emit_fn emit, void *arg);

#endif
