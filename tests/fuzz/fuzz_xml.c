/* fuzz_xml.c — libFuzzer target for the XML reader: parse, validate against
 * the annual-return schema and read the model out of any bytes, as ingest
 * does with a submitted file.  Diagnostics are expected and discarded;
 * crashes, leaks, hangs and sanitizer reports are the findings. */
#include <stddef.h>
#include <stdint.h>

#include "jingsai.h"
#include "xml_read.h"

static void
discard(const struct diag_msg *m, void *arg)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	xmlDocPtr doc;

	if (!ready) {
		diag_set_sink(discard, NULL, NULL, NULL);
		ready = 1;
	}
	doc = xml_parse("fuzz.xml", (const char *)data, size);
	if (doc == NULL)
		return 0;
	/* Only a valid document reaches the model, as in ingest. */
	if (xml_validate(doc, "annual-return.xsd", "fuzz.xml", (const char *)data, size) == 0) {
		struct annual_return *ar = ar_from_doc(doc);
		ar_free(ar);
	}
	xmlFreeDoc(doc);
	return 0;
}
