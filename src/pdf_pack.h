/* pdf_pack.h — repacking the PDF libharu writes into a smaller PDF 1.5 with the same content. */
#ifndef PDF_PACK_H
#define PDF_PACK_H

#include <stddef.h>

#include "jingsai.h"

/* Appends to OUT the LEN bytes of the PDF at IN rewritten compactly: stream
 * lengths inline, dictionaries without padding, obsolete /ProcSet arrays
 * dropped, the other objects in compressed object streams and a compressed
 * cross-reference stream.  Stream data is copied as it is, but for a stream
 * without /Filter: that is deflated, when that makes it smaller.  The same input
 * gives the same bytes.  Returns 0; or -1 when IN is not a PDF of the plain
 * shape libharu writes (one cross-reference table, no encryption), and then
 * OUT is unchanged. */
int pdf_pack(const char *in, size_t len, struct buf *out);

/* ---- The PDF 1.5 packing, shared with pdf_write.c (which writes the same
 * bytes without libharu) ---- */

/* 1 when C is a delimiter of PDF syntax (ISO 32000 §7.2.2): no space is
 * needed between it and the token before or after it. */
int pdf_is_delim(int c);

/* Appends to OUT object stream NUM (ISO 32000 §7.5.7) of COUNT objects:
 * HEAD the pairs of object number and offset in BODY (ending in a line
 * feed), BODY their texts, the two deflated together.  Returns 0, or -1
 * when deflating fails. */
int pdf_objstm(struct buf *out, long num, int count, const struct buf *head, const struct buf *body);

/* A row of the cross-reference stream: the object free (TYPE 0), at offset
 * F2 of the file (1), or in object stream F2 at index F3 (2). */
struct pdf_xref_row {
	int type;
	unsigned long f2, f3;
};

/* Ends the cross-reference stream of the NROWS objects 0 … NROWS-1, the
 * last of which is that stream itself, at XREF_OFF: appends to OUT, after
 * the dictionary's first entries (/Type/XRef, /Root, /Info), the file
 * identifier ID (32 hex digits) twice, /Size, /W, the rows deflated (less
 * the row before, PNG Up, when that deflates smaller), startxref and
 * %%EOF.  Returns 0, or -1 when deflating fails. */
int pdf_xref_finish(struct buf *out, const struct pdf_xref_row *rows, long nrows, size_t xref_off,
    const char *id);

#endif
