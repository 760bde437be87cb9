/* The JSON, time and hashing pieces of _scan.c (one translation unit: included once, by it). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define UNSURE 1   /* give None: the Python fast path decides */
#define REFUSE 2   /* give False: the full checks */
#define ERROR 3    /* a Python exception is set */

typedef struct { const char *p, *end; int max_depth; } Cur;
typedef struct { const char *s; Py_ssize_t n; } Span;
typedef struct { Span key; int32_t value; } Slot;
typedef struct { Slot *slots; size_t mask, used; } Table;
typedef struct { int32_t entity, data; int64_t us; char sql[28]; uint8_t sqln; } Event;

#define ONES 0x0101010101010101ULL
#define HAS_ZERO(w) (((w) - ONES) & ~(w) & (ONES * 0x80))
#define HAS_LESS(w, n) (((w) - ONES * (n)) & ~(w) & (ONES * 0x80))

static void ws(Cur *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) c->p++;
}

static int is_hex(char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A JSON string at c->p ('"'): its content span; *esc set when it holds an escape. */
static int string(Cur *c, Span *out, int *esc) {
    const char *p = c->p + 1;
    *esc = 0;
    while (p < c->end) {
#ifdef __SSE2__
        if (p + 16 <= c->end) {  /* sixteen bytes at a time to the first quote, backslash or control */
            __m128i v = _mm_loadu_si128((const __m128i *)p);
            __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                        _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F)));
            int mask = _mm_movemask_epi8(stop);
            if (!mask) {
                p += 16;
                continue;
            }
            p += __builtin_ctz((unsigned)mask);
        }
#else
        if (p + 8 <= c->end) {  /* eight plain bytes at a time: no quote, no backslash, no control */
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(HAS_ZERO(w ^ (ONES * '"')) | HAS_ZERO(w ^ (ONES * '\\')) | HAS_LESS(w, 0x20))) {
                p += 8;
                continue;
            }
        }
#endif
        unsigned char ch = (unsigned char)*p;
        if (ch == '"') {
            out->s = c->p + 1;
            out->n = p - out->s;
            c->p = p + 1;
            return 0;
        }
        if (ch < 0x20) return UNSURE;
        if (ch == '\\') {
            *esc = 1;
            if (p + 1 >= c->end) return UNSURE;
            char e = p[1];
            if (e == 'u') {
                if (p + 6 > c->end) return UNSURE;
                for (int i = 2; i < 6; i++) if (!is_hex(p[i])) return UNSURE;
                p += 6;
                continue;
            }
            if (!(e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't'))
                return UNSURE;
            p += 2;
            continue;
        }
        p++;
    }
    return UNSURE;
}

static int digits(Cur *c) {
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    return c->p > start ? 0 : UNSURE;
}

/* A JSON number by the grammar of RFC 8259; *is_int when it has no fraction and no exponent. */
static int number(Cur *c, int *is_int) {
    *is_int = 1;
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p >= c->end) return UNSURE;
    if (*c->p == '0') c->p++;
    else if (digits(c)) return UNSURE;
    if (c->p < c->end && *c->p == '.') {
        *is_int = 0;
        c->p++;
        if (digits(c)) return UNSURE;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        *is_int = 0;
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (digits(c)) return UNSURE;
    }
    return 0;
}

static int literal(Cur *c, const char *word, size_t n) {
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n)) return UNSURE;
    c->p += n;
    return 0;
}

/* Any JSON value at c->p (after white space), nested at most to c->max_depth. */
static int skip(Cur *c, int depth) {
    Span span;
    int esc, is_int, rc;
    if (c->p >= c->end) return UNSURE;
    switch (*c->p) {
    case '"': return string(c, &span, &esc);
    case 't': return literal(c, "true", 4);
    case 'f': return literal(c, "false", 5);
    case 'n': return literal(c, "null", 4);
    case '{': case '[': {
        char close = *c->p == '{' ? '}' : ']';
        if (depth + 1 > c->max_depth) return UNSURE;
        c->p++;
        ws(c);
        if (c->p < c->end && *c->p == close) { c->p++; return 0; }
        for (;;) {
            if (close == '}') {
                if (c->p >= c->end || *c->p != '"' || (rc = string(c, &span, &esc))) return UNSURE;
                ws(c);
                if (c->p >= c->end || *c->p != ':') return UNSURE;
                c->p++;
                ws(c);
            }
            if ((rc = skip(c, depth + 1))) return rc;
            ws(c);
            if (c->p >= c->end) return UNSURE;
            if (*c->p == ',') { c->p++; ws(c); continue; }
            if (*c->p == close) { c->p++; return 0; }
            return UNSURE;
        }
    }
    default: return number(c, &is_int);
    }
}

/* Is the whole text valid UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF)? */
static int utf8_valid(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) { i += 8; continue; }
        }
        unsigned char b = s[i];
        if (b < 0x80) { i++; continue; }
        int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
        if (!len || b > 0xF4 || i + len > n) return 0;
        for (int k = 1; k < len; k++) if ((s[i + k] & 0xC0) != 0x80) return 0;
        if (b == 0xE0 && s[i + 1] < 0xA0) return 0;
        if (b == 0xED && s[i + 1] >= 0xA0) return 0;
        if (b == 0xF0 && s[i + 1] < 0x90) return 0;
        if (b == 0xF4 && s[i + 1] >= 0x90) return 0;
        i += len;
    }
    return 1;
}

static int same(Span a, Span b) { return a.n == b.n && !memcmp(a.s, b.s, (size_t)a.n); }

static int expect(Cur *c, char ch) {
    ws(c);
    if (c->p >= c->end || *c->p != ch) return UNSURE;
    c->p++;
    ws(c);
    return 0;
}

static uint64_t hash(Span k) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)k.n;
    Py_ssize_t i = 0;
    for (; i + 8 <= k.n; i += 8) {
        uint64_t w;
        memcpy(&w, k.s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, k.s + i, (size_t)(k.n - i));
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 29);
}

/* The value under `k`, or -1 after inserting `k` with value `fresh` (the table grows at half full). */
static int32_t lookup(Table *t, Span k, int32_t fresh) {
    if ((t->used + 1) * 2 > t->mask + 1) {
        size_t size = (t->mask + 1) * 2;
        Slot *slots = calloc(size, sizeof(Slot));
        if (!slots) return -2;
        for (size_t i = 0; i <= t->mask; i++) {
            if (!t->slots[i].key.s) continue;
            size_t j = hash(t->slots[i].key) & (size - 1);
            while (slots[j].key.s) j = (j + 1) & (size - 1);
            slots[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = slots;
        t->mask = size - 1;
    }
    size_t j = hash(k) & t->mask;
    while (t->slots[j].key.s) {
        Slot *s = &t->slots[j];
        if (s->key.n == k.n && !memcmp(s->key.s, k.s, (size_t)k.n)) return s->value;
        j = (j + 1) & t->mask;
    }
    t->slots[j].key = k;
    t->slots[j].value = fresh;
    t->used++;
    return -1;
}

static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int num(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" -> microseconds since 1970 and the stored text "\tYYYY-MM-DD HH:MM:SS[.mmm000]". */
static int event_time(Span t, Event *ev) {
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *s = t.s;
    if (t.n != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.'
        || s[23] != 'Z')
        return UNSURE;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2), hh = num(s + 11, 2), mm = num(s + 14, 2);
    int ss = num(s + 17, 2), ms = num(s + 20, 3);
    if (y < 1 || m < 1 || m > 12 || d < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 || ms < 0)
        return UNSURE;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > dim[m - 1] + (m == 2 && leap)) return UNSURE;
    ev->us = ((days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000 + ms) * 1000;
    char *o = ev->sql;
    *o++ = '\t';
    memcpy(o, s, 10); o += 10;
    *o++ = ' ';
    memcpy(o, s + 11, 8); o += 8;
    if (ms) { memcpy(o, s + 19, 4); o += 4; memcpy(o, "000", 3); o += 3; }
    ev->sqln = (uint8_t)(o - ev->sql);
    return 0;
}

