/* The `data` texts of _scan.c (one translation unit: included once, by it).

   Each distinct `data` text becomes a Piece: the end of its snapshot line and the parts of its
   queue lines. A text of the plain shape (an object with a known `status` and no escape in the
   texts kept, `queue` an object of distinct queue types or null, `destinationId` a text of at most
   64 bytes or null, any `showtimes`) is read here; each distinct queue member of it is formatted
   once by fast.py's `_queue_piece`, given as `queue_piece`. Any other text goes whole to fast.py's
   `_data_lines` (`data_lines`), which decides it as the Python fast path does. */

#define DELEGATE 4    /* this data text goes to `data_lines` */
#define MAX_QUEUES 16

typedef struct {
    const char *end; Py_ssize_t endn;
    char *owned_end;                        /* `end` when made here */
    int is_show, nw, nf;
    const char **part; Py_ssize_t *partn;  /* the wait parts, then the full parts, without the leading "" */
    PyObject *destination;                  /* borrowed from the `data_lines` result, or NULL: */
    Span dest; int dest_kind;               /* the destinationId read here */
} Piece;

typedef struct { const char *value, *part; Py_ssize_t valuen, partn; int kind; } Queue;  /* kind 1 short, 2 full */
enum { NO_LINE, SHORT_LINE, FULL_LINE };

typedef struct {
    Table ents_by_id, data_by_text, queue_by_member;
    Event *ev; Py_ssize_t nev, evcap;
    Ent *ent; Py_ssize_t nent, entcap;
    Piece *piece; Py_ssize_t npiece, piececap;
    Queue *queue; Py_ssize_t nqueue, queuecap;
    PyObject *results, *queue_results, *renames, *data_lines, *queue_piece, *statuses;
    int64_t horizon, earliest;
} State;

static int grow(void **array, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t size = *cap ? *cap * 2 : 256;
    while (size < need) size *= 2;
    void *bigger = realloc(*array, (size_t)size * item);
    if (!bigger) { PyErr_NoMemory(); return ERROR; }
    *array = bigger;
    *cap = size;
    return 0;
}

static PyObject *text(Span s) { return PyUnicode_DecodeUTF8(s.s, s.n, "strict"); }

static Piece *next_piece(State *st, int parts) {
    if (grow((void **)&st->piece, &st->piececap, st->npiece + 1, sizeof(Piece))) return NULL;
    Piece *p = &st->piece[st->npiece++];  /* counted now so that its arrays are freed */
    memset(p, 0, sizeof *p);
    p->part = malloc(sizeof(char *) * (size_t)(parts + 1));
    p->partn = malloc(sizeof(Py_ssize_t) * (size_t)(parts + 1));
    if (!p->part || !p->partn) { PyErr_NoMemory(); return NULL; }
    return p;
}

/* A Python call's failure: a ValueError (a time fromisoformat refuses) refuses the file, as the
   Python fast path does; anything else is left to that path. */
static int call_failed(void) {
    int refused = PyErr_ExceptionMatches(PyExc_ValueError);
    PyErr_Clear();
    return refused ? REFUSE : UNSURE;
}

/* A data text decided by fast.py's `_data_lines`, its parts kept as C pointers into its result. */
static int python_piece(State *st, Span raw) {
    PyObject *bytes = PyBytes_FromStringAndSize(raw.s, raw.n);
    if (!bytes) return ERROR;
    PyObject *res = PyObject_CallOneArg(st->data_lines, bytes);
    Py_DECREF(bytes);
    if (!res) return call_failed();
    if (res == Py_None) { Py_DECREF(res); return REFUSE; }
    int rc = PyList_Append(st->results, res);
    Py_DECREF(res);  /* the list keeps it, and with it every text pointed to below */
    if (rc) return ERROR;
    if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 5 || !PyUnicode_Check(PyTuple_GET_ITEM(res, 0))) return UNSURE;
    PyObject *waits = PyTuple_GET_ITEM(res, 1), *fulls = PyTuple_GET_ITEM(res, 2);
    if ((waits != Py_None && !PyTuple_Check(waits)) || (fulls != Py_None && !PyTuple_Check(fulls))) return UNSURE;
    int nw = waits == Py_None ? 0 : (int)PyTuple_GET_SIZE(waits) - 1;
    int nf = fulls == Py_None ? 0 : (int)PyTuple_GET_SIZE(fulls) - 1;
    if (nw < 0 || nf < 0) return UNSURE;
    Piece *p = next_piece(st, nw + nf);
    if (!p) return ERROR;
    p->nw = nw;
    p->nf = nf;
    p->destination = PyTuple_GET_ITEM(res, 3);
    if (!(p->end = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(res, 0), &p->endn))) return ERROR;
    for (int i = 0; i < nw + nf; i++) {
        PyObject *part = i < nw ? PyTuple_GET_ITEM(waits, i + 1) : PyTuple_GET_ITEM(fulls, i - nw + 1);
        if (!PyUnicode_Check(part)) return UNSURE;
        if (!(p->part[i] = PyUnicode_AsUTF8AndSize(part, &p->partn[i]))) return ERROR;
    }
    if ((p->is_show = PyObject_IsTrue(PyTuple_GET_ITEM(res, 4))) < 0) return ERROR;
    return 0;
}

typedef struct {
    int status, dest_kind, is_show, nq;
    Span dest, type[MAX_QUEUES], value[MAX_QUEUES], member[MAX_QUEUES];
} DataFields;

static int key_is(Span key, const char *name) {
    return (size_t)key.n == strlen(name) && !memcmp(key.s, name, (size_t)key.n);
}

/* The members of `data` (already checked as JSON by `skip`), or DELEGATE when not the plain shape. */
static int data_fields(State *st, Span raw, DataFields *d) {
    Cur c = {raw.s, raw.s + raw.n, 64};
    Span key, value;
    int esc, seen_status = 0, seen_queue = 0, seen_dest = 0;
    memset(d, 0, sizeof *d);
    if (expect(&c, '{') || (c.p < c.end && *c.p == '}')) return DELEGATE;
    for (;;) {
        if (string(&c, &key, &esc) || esc || expect(&c, ':')) return DELEGATE;
        if (key_is(key, "status")) {
            if (seen_status++ || c.p >= c.end || *c.p != '"' || string(&c, &value, &esc) || esc) return DELEGATE;
            d->status = -1;
            for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(st->statuses); i++) {
                Py_ssize_t n;
                const char *name = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(PyTuple_GET_ITEM(st->statuses, i), 0), &n);
                if (name && n == value.n && !memcmp(name, value.s, (size_t)n)) d->status = (int)i;
            }
            PyErr_Clear();
            if (d->status < 0) return DELEGATE;
        } else if (key_is(key, "queue")) {
            if (seen_queue++ || c.p >= c.end) return DELEGATE;
            if (*c.p == 'n') {
                if (literal(&c, "null", 4)) return DELEGATE;
            } else if (expect(&c, '{')) {
                return DELEGATE;
            } else if (c.p < c.end && *c.p == '}') {
                c.p++;
            } else {
                for (;;) {
                    if (d->nq == MAX_QUEUES || c.p >= c.end || *c.p != '"') return DELEGATE;
                    const char *member = c.p;
                    if (string(&c, &d->type[d->nq], &esc) || esc || expect(&c, ':')) return DELEGATE;
                    for (int i = 0; i < d->nq; i++) if (same(d->type[i], d->type[d->nq])) return DELEGATE;
                    const char *at = c.p;
                    if (skip(&c, 0)) return DELEGATE;
                    d->value[d->nq] = (Span){at, c.p - at};
                    d->member[d->nq++] = (Span){member, c.p - member};
                    ws(&c);
                    if (c.p < c.end && *c.p == ',') { c.p++; ws(&c); continue; }
                    if (c.p >= c.end || *c.p != '}') return DELEGATE;
                    c.p++;
                    break;
                }
            }
        } else if (key_is(key, "destinationId")) {
            if (seen_dest++ || c.p >= c.end) return DELEGATE;
            if (*c.p == 'n') {
                if (literal(&c, "null", 4)) return DELEGATE;
                d->dest_kind = NUL;
            } else if (*c.p != '"' || string(&c, &d->dest, &esc) || esc || d->dest.n > 64) {
                return DELEGATE;
            } else {
                d->dest_kind = TEXT;
            }
        } else {
            if (key_is(key, "showtimes")) {
                if (d->is_show++) return DELEGATE;
            }
            if (skip(&c, 0)) return DELEGATE;
        }
        ws(&c);
        if (c.p < c.end && *c.p == ',') { c.p++; ws(&c); continue; }
        if (c.p >= c.end || *c.p != '}') return DELEGATE;
        c.p++;
        ws(&c);
        return c.p == c.end && seen_status ? 0 : DELEGATE;
    }
}

/* One queue member of a plain data text: formatted by `queue_piece` the first time it is seen. */
static int queue_of(State *st, DataFields *d, int i, Queue **out) {
    int32_t q = lookup(&st->queue_by_member, d->member[i], (int32_t)st->nqueue);
    if (q == -2) { PyErr_NoMemory(); return ERROR; }
    if (q >= 0) { *out = &st->queue[q]; return 0; }
    PyObject *type = text(d->type[i]), *raw = PyBytes_FromStringAndSize(d->value[i].s, d->value[i].n);
    PyObject *res = type && raw ? PyObject_CallFunctionObjArgs(st->queue_piece, type, raw, NULL) : NULL;
    Py_XDECREF(type);
    Py_XDECREF(raw);
    if (!res) return call_failed();
    if (res == Py_None) { Py_DECREF(res); return REFUSE; }
    int rc = PyList_Append(st->queue_results, res);
    Py_DECREF(res);
    if (rc || grow((void **)&st->queue, &st->queuecap, st->nqueue + 1, sizeof(Queue))) return ERROR;
    if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 3 || !PyUnicode_Check(PyTuple_GET_ITEM(res, 0))) return UNSURE;
    Queue *one = &st->queue[st->nqueue++];
    PyObject *short_line = PyTuple_GET_ITEM(res, 1), *full_line = PyTuple_GET_ITEM(res, 2);
    PyObject *line = short_line != Py_None ? short_line : full_line;
    one->kind = short_line != Py_None ? SHORT_LINE : full_line != Py_None ? FULL_LINE : NO_LINE;
    if (!(one->value = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(res, 0), &one->valuen))) return ERROR;
    if (one->kind != NO_LINE && (!PyUnicode_Check(line) || !(one->part = PyUnicode_AsUTF8AndSize(line, &one->partn))))
        return PyErr_Occurred() ? ERROR : UNSURE;
    *out = one;
    return 0;
}

/* A plain data text read here: the snapshot line's end is the status's two pieces around the
   STANDBY wait (or \N), its queue lines each queue's short or full line end, in text order. */
static int plain_piece(State *st, Span raw) {
    DataFields d;
    Queue *queue[MAX_QUEUES];
    int rc = data_fields(st, raw, &d);
    if (rc) return rc;
    const char *wait = "\\N";
    Py_ssize_t waitn = 2;
    int nw = 0, nf = 0;
    for (int i = 0; i < d.nq; i++) {
        if ((rc = queue_of(st, &d, i, &queue[i]))) return rc;
        if (key_is(d.type[i], "STANDBY")) { wait = queue[i]->value; waitn = queue[i]->valuen; }
        nw += queue[i]->kind == SHORT_LINE;
        nf += queue[i]->kind == FULL_LINE;
    }
    PyObject *pieces = PyTuple_GET_ITEM(st->statuses, d.status);
    Py_ssize_t middlen, endn;
    const char *middle = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(pieces, 1), &middlen);
    const char *end = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(pieces, 2), &endn);
    Piece *p = middle && end ? next_piece(st, nw + nf) : NULL;
    if (!p || !(p->owned_end = malloc((size_t)(middlen + waitn + endn)))) return PyErr_Occurred() ? ERROR : UNSURE;
    memcpy(p->owned_end, middle, (size_t)middlen);
    memcpy(p->owned_end + middlen, wait, (size_t)waitn);
    memcpy(p->owned_end + middlen + waitn, end, (size_t)endn);
    p->end = p->owned_end;
    p->endn = middlen + waitn + endn;
    p->nw = nw;
    p->nf = nf;
    p->is_show = d.is_show;
    p->dest = d.dest;
    p->dest_kind = d.dest_kind;
    int w = 0, f = nw;
    for (int i = 0; i < d.nq; i++) {
        if (queue[i]->kind == SHORT_LINE) { p->part[w] = queue[i]->part; p->partn[w++] = queue[i]->partn; }
        if (queue[i]->kind == FULL_LINE) { p->part[f] = queue[i]->part; p->partn[f++] = queue[i]->partn; }
    }
    return 0;
}

static int new_piece(State *st, Span raw) {
    int rc = plain_piece(st, raw);
    return rc == DELEGATE ? python_piece(st, raw) : rc;
}
