/* device.c — the table of devices: the only place that names them. */
#include <string.h>

#include "device.h"

static const struct device devices[] = {
	/* PDF with embedded font subsets (libharu, HarfBuzz): the documents */
	{"pdf", ".pdf", N_("the PDF (default)"), dev_pdf_render},
	/* every page, line box, glyph run, rule and shape as a line of text with
	 * its coordinates: what tests compare and template authors read */
	{"dump", ".dump", N_("the layout dump, NAME.dump beside NAME.pdf"), dev_dump_render},
};

const struct device *
device_find(const char *name)
{
	for (size_t i = 0; i < sizeof devices / sizeof *devices; i++)
		if (strcmp(devices[i].name, name) == 0)
			return &devices[i];
	return NULL;
}

const struct device *
device_at(int i)
{
	return i >= 0 && (size_t)i < sizeof devices / sizeof *devices ? &devices[i] : NULL;
}
