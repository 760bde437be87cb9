/* The native fast path of a day file: one pass in C over `{"events": [...]}`.

   format_events(text, data_lines, horizon_us, earliest_us, max_depth) returns
     (events, entities, renames, blocks)  when every event has the plain shape (below),
     False                                when the file certainly needs the full checks,
     None                                 when the Python fast path has to decide.
   It is a copy of what importer/parser/fast.py computes, never more lenient: anything it is not
   sure of (an escape in a text it keeps, a time not in the archive's "YYYY-MM-DDTHH:MM:SS.mmmZ",
   an unknown top-level key, a nest deeper than max_depth, a field of another type) gives None.

   `data_lines(raw)` is fast.py's per-distinct-`data` function (called once per distinct text, in
   file order); it returns (snapshot_end, wait_parts, full_parts, destination_id, is_show) or None.
   entities: (entityId, internalId, parkId, parkSlug, timezone, name, eventTime, destinationId,
   is_show) per entity in first-seen order; renames: (entity index, name, eventTime) each time an
   entity's name differs from its last one; blocks: (snapshot lines, queue lines, count, short
   queue lines) per entity, each line being the event's "\t<time>" followed by its data's parts. */
#include "_scan_json.h"

enum { F_ENTITY, F_NAME, F_TIME, F_TZ, F_PARK, F_DATA, F_INTERNAL, F_SLUG, NFIELDS };
enum { ABSENT, TEXT, NUL, INT, RAW };
static const char *FIELD_NAMES[NFIELDS] = {
    "entityId", "name", "eventTime", "timezone", "parkId", "data", "internalId", "parkSlug"};

typedef struct { Span v[NFIELDS]; int kind[NFIELDS]; } Fields;

typedef struct {  /* an entity as first seen, and what later events change */
    Fields first;
    Span last_name;
    int32_t data;
    int is_show;
} Ent;

#include "_scan_data.h"

static int record(State *st, Fields *f) {
    int rc;
    if (grow((void **)&st->ev, &st->evcap, st->nev + 1, sizeof(Event))) return ERROR;
    Event *ev = &st->ev[st->nev];
    if (event_time(f->v[F_TIME], ev)) return UNSURE;
    if (ev->us > st->horizon || ev->us < st->earliest) return REFUSE;
    int32_t d = lookup(&st->data_by_text, f->v[F_DATA], (int32_t)st->npiece);
    if (d == -2) { PyErr_NoMemory(); return ERROR; }
    if (d == -1) {
        d = (int32_t)st->npiece;
        if ((rc = new_piece(st, f->v[F_DATA]))) return rc;
    }
    int32_t e = lookup(&st->ents_by_id, f->v[F_ENTITY], (int32_t)st->nent);
    if (e == -2) { PyErr_NoMemory(); return ERROR; }
    if (e == -1) {
        if (grow((void **)&st->ent, &st->entcap, st->nent + 1, sizeof(Ent))) return ERROR;
        e = (int32_t)st->nent++;
        st->ent[e] = (Ent){.first = *f, .last_name = f->v[F_NAME], .data = d, .is_show = st->piece[d].is_show};
    } else {
        Ent *en = &st->ent[e];
        if (!same(f->v[F_NAME], en->last_name)) {
            PyObject *name = text(f->v[F_NAME]), *at = text(f->v[F_TIME]);
            PyObject *rename = name && at ? Py_BuildValue("(iOO)", e, name, at) : NULL;
            Py_XDECREF(name);
            Py_XDECREF(at);
            if (!rename) return UNSURE;
            rc = PyList_Append(st->renames, rename);
            Py_DECREF(rename);
            if (rc) return ERROR;
            en->last_name = f->v[F_NAME];
        }
        en->is_show |= st->piece[d].is_show;
    }
    ev->entity = e;
    ev->data = d;
    st->nev++;
    return 0;
}

static int field_index(Span key) {
    static const Py_ssize_t lengths[NFIELDS] = {8, 4, 9, 8, 6, 4, 10, 8};
    for (int i = 0; i < NFIELDS; i++)
        if (key.n == lengths[i] && !memcmp(key.s, FIELD_NAMES[i], (size_t)key.n)) return i;
    return -1;
}

/* One event object: its fields as spans (texts without escapes, the raw `data`), then `record`. */
static int event(Cur *c, State *st) {
    Fields f;
    Span key;
    int esc, rc, is_int;
    memset(&f, 0, sizeof f);
    if (c->p >= c->end || *c->p != '{' || c->max_depth < 1) return UNSURE;
    c->p++;
    ws(c);
    for (;;) {
        if (c->p >= c->end || *c->p != '"' || string(c, &key, &esc) || esc) return UNSURE;
        ws(c);
        if (c->p >= c->end || *c->p != ':') return UNSURE;
        c->p++;
        ws(c);
        int i = field_index(key);
        const char *start = c->p;
        if (i < 0) {
            if ((rc = skip(c, 1))) return rc;
        } else if (f.kind[i] != ABSENT || c->p >= c->end) {
            return UNSURE;  /* a repeated key */
        } else if (i == F_DATA) {
            if ((rc = skip(c, 1))) return rc;
            f.v[i] = (Span){start, c->p - start};
            f.kind[i] = RAW;
        } else if (*c->p == '"') {
            if (string(c, &f.v[i], &esc) || esc) return UNSURE;
            f.kind[i] = TEXT;
        } else if (*c->p == 'n' && (i == F_INTERNAL || i == F_SLUG)) {
            if (literal(c, "null", 4)) return UNSURE;
            f.kind[i] = NUL;
        } else if (i == F_INTERNAL && *c->p != 't' && *c->p != 'f' && *c->p != '{' && *c->p != '[') {
            if (number(c, &is_int) || !is_int || c->p - start > 18) return UNSURE;
            f.v[i] = (Span){start, c->p - start};
            f.kind[i] = INT;
        } else {
            return UNSURE;
        }
        ws(c);
        if (c->p >= c->end) return UNSURE;
        if (*c->p == ',') { c->p++; ws(c); continue; }
        if (*c->p == '}') { c->p++; break; }
        return UNSURE;
    }
    for (int i = 0; i <= F_DATA; i++)
        if (f.kind[i] == ABSENT) return UNSURE;
    return record(st, &f);
}

static PyObject *entity_row(State *st, Ent *en) {
    Fields *f = &en->first;
    PyObject *internal, *slug;
    if (f->kind[F_INTERNAL] == TEXT) {
        internal = text(f->v[F_INTERNAL]);
    } else if (f->kind[F_INTERNAL] == INT) {
        char digits[24];
        memcpy(digits, f->v[F_INTERNAL].s, (size_t)f->v[F_INTERNAL].n);
        digits[f->v[F_INTERNAL].n] = 0;
        internal = PyLong_FromString(digits, NULL, 10);
    } else {
        internal = Py_NewRef(Py_None);
    }
    slug = f->kind[F_SLUG] == TEXT ? text(f->v[F_SLUG]) : Py_NewRef(Py_None);
    Piece *p = &st->piece[en->data];
    PyObject *destination = p->destination ? Py_NewRef(p->destination)
                            : p->dest_kind == TEXT ? text(p->dest) : Py_NewRef(Py_None);
    return Py_BuildValue("(NNNNNNNNO)", text(f->v[F_ENTITY]), internal, text(f->v[F_PARK]), slug, text(f->v[F_TZ]),
                         text(f->v[F_NAME]), text(f->v[F_TIME]), destination, en->is_show ? Py_True : Py_False);
}

typedef struct { char *s; size_t n, cap; } Buf;

static int put(Buf *b, const char *s, size_t n) {
    if (b->n + n > b->cap) {
        size_t size = b->cap ? b->cap * 2 : 1 << 16;
        while (size < b->n + n) size *= 2;
        char *bigger = realloc(b->s, size);
        if (!bigger) { PyErr_NoMemory(); return ERROR; }
        b->s = bigger;
        b->cap = size;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    return 0;
}

static int by_time(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One entity's events (`seg`, in file order) as its block; REFUSE for a repeated time. */
static int block(State *st, Py_ssize_t *seg, Py_ssize_t n, int64_t *times, Buf *b, PyObject **out) {
    int increasing = 1, rc = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        times[k] = st->ev[seg[k]].us;
        if (k && times[k] <= times[k - 1]) increasing = 0;
    }
    if (!increasing) {
        qsort(times, (size_t)n, sizeof(int64_t), by_time);
        for (Py_ssize_t k = 1; k < n; k++) if (times[k] == times[k - 1]) return REFUSE;
    }
    PyObject *texts[3];
    for (int which = 0; which < 3; which++) {  /* snapshot lines, full queue lines, short queue lines */
        b->n = 0;
        for (Py_ssize_t k = 0; k < n && !rc; k++) {
            Event *ev = &st->ev[seg[k]];
            Piece *p = &st->piece[ev->data];
            if (which == 0) {
                rc = put(b, ev->sql, ev->sqln) || put(b, p->end, (size_t)p->endn);
                continue;
            }
            int from = which == 1 ? p->nw : 0, to = which == 1 ? p->nw + p->nf : p->nw;
            for (int j = from; j < to && !rc; j++)
                rc = put(b, ev->sql, ev->sqln) || put(b, p->part[j], (size_t)p->partn[j]);
        }
        texts[which] = rc ? NULL : PyUnicode_DecodeUTF8(b->s ? b->s : "", (Py_ssize_t)b->n, "strict");
        if (!texts[which]) {
            for (int i = 0; i < which; i++) Py_DECREF(texts[i]);
            return ERROR;
        }
    }
    *out = Py_BuildValue("(NNnN)", texts[0], texts[1], n, texts[2]);
    return *out ? 0 : ERROR;
}

static int blocks(State *st, PyObject *list) {
    int rc = 0;
    Py_ssize_t *start = calloc((size_t)st->nent + 1, sizeof(Py_ssize_t));
    Py_ssize_t *order = malloc(sizeof(Py_ssize_t) * (size_t)(st->nev + 1));
    int64_t *times = malloc(sizeof(int64_t) * (size_t)(st->nev + 1));
    Buf b = {0};
    if (!start || !order || !times) { PyErr_NoMemory(); rc = ERROR; }
    for (Py_ssize_t i = 0; !rc && i < st->nev; i++) start[st->ev[i].entity + 1]++;
    for (Py_ssize_t e = 0; !rc && e < st->nent; e++) start[e + 1] += start[e];
    for (Py_ssize_t i = 0; !rc && i < st->nev; i++) order[start[st->ev[i].entity]++] = i;  /* stable */
    for (Py_ssize_t e = st->nent; !rc && e > 0; e--) start[e] = start[e - 1];
    if (!rc) start[0] = 0;
    for (Py_ssize_t e = 0; !rc && e < st->nent; e++) {
        PyObject *one = NULL;
        rc = block(st, order + start[e], start[e + 1] - start[e], times, &b, &one);
        if (!rc) PyList_SET_ITEM(list, e, one);
    }
    free(start);
    free(order);
    free(times);
    free(b.s);
    return rc;
}

static int day_file(Cur *c, State *st) {
    Span key;
    int esc, rc;
    if (expect(c, '{') || c->p >= c->end || *c->p != '"' || string(c, &key, &esc) || esc
        || key.n != 6 || memcmp(key.s, "events", 6) || expect(c, ':') || expect(c, '['))
        return UNSURE;
    if (c->p < c->end && *c->p == ']') {
        c->p++;
    } else {
        for (;;) {
            if ((rc = event(c, st))) return rc;
            ws(c);
            if (c->p < c->end && *c->p == ',') { c->p++; ws(c); continue; }
            if (expect(c, ']')) return UNSURE;
            break;
        }
    }
    if (expect(c, '}') || c->p != c->end) return UNSURE;
    return 0;
}

static PyObject *format_events(PyObject *self, PyObject *args) {
    Py_buffer buf;
    PyObject *data_lines, *queue_piece, *statuses, *out = NULL, *entities = NULL, *block_list = NULL;
    long long horizon, earliest;
    int max_depth, rc = 0;
    if (!PyArg_ParseTuple(args, "y*OOO!LLi", &buf, &data_lines, &queue_piece, &PyTuple_Type, &statuses, &horizon,
                          &earliest, &max_depth))
        return NULL;
    State st = {.data_lines = data_lines, .queue_piece = queue_piece, .statuses = statuses, .horizon = horizon,
                .earliest = earliest};
    st.ents_by_id = (Table){calloc(64, sizeof(Slot)), 63, 0};
    st.data_by_text = (Table){calloc(64, sizeof(Slot)), 63, 0};
    st.queue_by_member = (Table){calloc(64, sizeof(Slot)), 63, 0};
    st.results = PyList_New(0);
    st.queue_results = PyList_New(0);
    st.renames = PyList_New(0);
    if (!st.ents_by_id.slots || !st.data_by_text.slots || !st.queue_by_member.slots || !st.results
        || !st.queue_results || !st.renames)
        rc = ERROR;
    Cur c = {buf.buf, (const char *)buf.buf + buf.len, max_depth};
    if (!rc && !utf8_valid(buf.buf, buf.len)) rc = UNSURE;
    if (!rc) rc = day_file(&c, &st);
    if (!rc && (!(entities = PyList_New(st.nent)) || !(block_list = PyList_New(st.nent)))) rc = ERROR;
    for (Py_ssize_t e = 0; !rc && e < st.nent; e++) {
        PyObject *row = entity_row(&st, &st.ent[e]);
        if (!row) rc = ERROR;
        else PyList_SET_ITEM(entities, e, row);
    }
    if (!rc) rc = blocks(&st, block_list);
    if (!rc) out = Py_BuildValue("(nOOO)", st.nev, entities, st.renames, block_list);
    for (Py_ssize_t i = 0; i < st.npiece; i++) {
        free(st.piece[i].part);
        free(st.piece[i].partn);
        free(st.piece[i].owned_end);
    }
    free(st.piece);
    free(st.queue);
    free(st.queue_by_member.slots);
    Py_XDECREF(st.queue_results);
    free(st.ev);
    free(st.ent);
    free(st.ents_by_id.slots);
    free(st.data_by_text.slots);
    Py_XDECREF(entities);
    Py_XDECREF(block_list);
    Py_XDECREF(st.results);
    Py_XDECREF(st.renames);
    PyBuffer_Release(&buf);
    if (rc == ERROR || (!rc && !out)) return NULL;
    if (rc == UNSURE) Py_RETURN_NONE;
    if (rc == REFUSE) Py_RETURN_FALSE;
    return out;
}

static PyMethodDef methods[] = {
    {"format_events", format_events, METH_VARARGS, "A day file's events as per-entity line blocks (see _scan.c)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
