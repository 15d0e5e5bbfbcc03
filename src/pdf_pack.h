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

#endif
