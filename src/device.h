/* device.h — the device interface: what turns a finished display list
 * (dlist.h) into the bytes of a file.
 *
 * The layout and the documents reach a device only through struct device
 * (doc_render in layout.h, the devices of struct out_ctx in outputs.h), as
 * mandoc's formatters draw through struct termp.  The devices are the table
 * in device.c, one row each: the PDF device (dev_pdf.c) and the layout dump
 * (dev_dump.c); no other file names them. */
#ifndef DEVICE_H
#define DEVICE_H

#include "jingsai.h"

struct dl_doc;

struct device {
	const char *name;        /* what --device calls it: "pdf", "dump" */
	const char *suffix;      /* of the file it writes beside the others: ".pdf" */
	const char *about;       /* one line for --help */
	/* Renders DL (read-only) by appending to OUT.  Returns 0, or -1 after
	 * a diagnostic.  The same list gives the same bytes. */
	int (*render)(const struct dl_doc *dl, struct buf *out);
};

/* The device called NAME, or NULL. */
const struct device *device_find(const char *name);
/* The I-th device of the table, from 0, or NULL past the last; device 0
 * is the one documents are written with unless told otherwise (PDF). */
const struct device *device_at(int i);

/* The render functions of the devices, for the table in device.c only. */
int dev_pdf_render(const struct dl_doc *dl, struct buf *out);
/* The PDF device through libharu and pdf_pack.c whatever the document
 * (dev_pdf_render writes those without bookmarks with pdf_write.c, the same
 * bytes): what the tests compare pdf_write.c's bytes with. */
int dev_pdf_libharu(const struct dl_doc *dl, struct buf *out);
int dev_dump_render(const struct dl_doc *dl, struct buf *out);

#endif
