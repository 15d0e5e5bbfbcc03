/* receipt.h — the receipts (回执) a run writes for the regions whose files changed. */
#ifndef RECEIPT_H
#define RECEIPT_H

struct buf;
struct out_ctx;

/* Writes, for each region and day of which an ingest changed a file since
 * the receipts were last written, the receipt of that region and day: every
 * file of the region read that day, accepted or rejected with its problems
 * (receipt_file, rejection), as output/receipts/REGION/YYYY-MM-DD.pdf with
 * its .csv and .xlsx ("未归属" for files whose region cannot be told), and
 * marks them written.  Writes nothing when nothing changed.  The names of
 * the receipts made (如皋市, 未归属), separated as the locale lists them, are
 * appended to MADE unless it is NULL.  Returns an exit status of enum jz_exit. */
int receipts_build(struct out_ctx *oc, struct buf *made);

#endif
