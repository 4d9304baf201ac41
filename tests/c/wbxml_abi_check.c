/* Compile-time check of core/src/omadm/wbxml_abi.h against libwbxml2's own
 * header (built only when libwbxml2-dev is installed): each function
 * pointer type the core calls through must be compatible with the
 * library's function, and the constants must have the header's values.
 * A mismatch fails the build. Nothing here is linked against libwbxml2:
 * _Generic does not evaluate its operand. */
#include <wbxml/wbxml.h>

#include "omadm/wbxml_abi.h"

#define SAME_TYPE(fn, type) \
    _Static_assert(_Generic(&fn, type: 1, default: 0), #fn " does not match " #type)

SAME_TYPE(wbxml_conv_wbxml2xml_create, dmb_wbxml2xml_create_fn);
SAME_TYPE(wbxml_conv_wbxml2xml_set_gen_type, dmb_wbxml2xml_set_gen_type_fn);
SAME_TYPE(wbxml_conv_wbxml2xml_set_indent, dmb_wbxml2xml_set_indent_fn);
SAME_TYPE(wbxml_conv_wbxml2xml_run, dmb_wbxml2xml_run_fn);
SAME_TYPE(wbxml_conv_wbxml2xml_destroy, dmb_wbxml2xml_destroy_fn);
SAME_TYPE(wbxml_conv_xml2wbxml_create, dmb_xml2wbxml_create_fn);
SAME_TYPE(wbxml_conv_xml2wbxml_set_version, dmb_xml2wbxml_set_version_fn);
SAME_TYPE(wbxml_conv_xml2wbxml_disable_string_table, dmb_xml2wbxml_disable_string_table_fn);
SAME_TYPE(wbxml_conv_xml2wbxml_run, dmb_xml2wbxml_run_fn);
SAME_TYPE(wbxml_conv_xml2wbxml_destroy, dmb_xml2wbxml_destroy_fn);
SAME_TYPE(wbxml_errors_string, dmb_wbxml_errors_string_fn);

_Static_assert((int)WBXML_OK == (int)DMB_WBXML_OK, "WBXML_OK");
_Static_assert((int)WBXML_GEN_XML_COMPACT == (int)DMB_WBXML_GEN_XML_COMPACT,
               "WBXML_GEN_XML_COMPACT");
_Static_assert((int)WBXML_VERSION_12 == (int)DMB_WBXML_VERSION_12, "WBXML_VERSION_12");

/* ISO C wants a translation unit to declare something. */
extern const int dmb_wbxml_abi_checked;
const int dmb_wbxml_abi_checked = 1;
