/*
 * The part of libwbxml2's ABI that wbxml.c calls through dlsym(), declared
 * here so that building the core needs no libwbxml2-dev. The types are the
 * ones of libwbxml-1.0/wbxml/wbxml_conv.h (0.11), written so that each
 * function pointer type is compatible with the library's own function:
 *  - the converters are pointers to the same incomplete struct tags;
 *  - WB_UTINY is unsigned char, WB_ULONG unsigned int (wbxml_defines.h);
 *  - an enum is compatible with an integer type the compiler picks
 *    (implementation-defined; GCC and Clang document it): unsigned int
 *    when no member is negative (WBXMLError, WBXMLGenXMLType), int
 *    otherwise (WBXMLVersion has WBXML_VERSION_UNKNOWN = -1).
 * When the real header is installed, tests/c/wbxml_abi_check.c checks
 * every one of these types against it at compile time.
 */
#ifndef DMBOOT_WBXML_ABI_H
#define DMBOOT_WBXML_ABI_H

struct WBXMLConvWBXML2XML_s;
struct WBXMLConvXML2WBXML_s;

typedef unsigned int dmb_wbxml_error;     /* enum WBXMLError_e; WBXML_OK is 0 */
typedef unsigned int dmb_wbxml_gen_type;  /* enum WBXMLGenXMLType_e */
typedef int dmb_wbxml_version;            /* enum WBXMLVersion_e */

enum { DMB_WBXML_OK = 0, DMB_WBXML_GEN_XML_COMPACT = 0, DMB_WBXML_VERSION_12 = 0x02 };

typedef dmb_wbxml_error (*dmb_wbxml2xml_create_fn)(struct WBXMLConvWBXML2XML_s **conv);
typedef void (*dmb_wbxml2xml_set_gen_type_fn)(struct WBXMLConvWBXML2XML_s *conv,
                                              dmb_wbxml_gen_type gen_type);
typedef void (*dmb_wbxml2xml_set_indent_fn)(struct WBXMLConvWBXML2XML_s *conv,
                                            unsigned char indent);
typedef dmb_wbxml_error (*dmb_wbxml2xml_run_fn)(struct WBXMLConvWBXML2XML_s *conv,
                                                unsigned char *wbxml, unsigned int wbxml_len,
                                                unsigned char **xml, unsigned int *xml_len);
typedef void (*dmb_wbxml2xml_destroy_fn)(struct WBXMLConvWBXML2XML_s *conv);

typedef dmb_wbxml_error (*dmb_xml2wbxml_create_fn)(struct WBXMLConvXML2WBXML_s **conv);
typedef void (*dmb_xml2wbxml_set_version_fn)(struct WBXMLConvXML2WBXML_s *conv,
                                             dmb_wbxml_version version);
typedef void (*dmb_xml2wbxml_disable_string_table_fn)(struct WBXMLConvXML2WBXML_s *conv);
typedef dmb_wbxml_error (*dmb_xml2wbxml_run_fn)(struct WBXMLConvXML2WBXML_s *conv,
                                                unsigned char *xml, unsigned int xml_len,
                                                unsigned char **wbxml, unsigned int *wbxml_len);
typedef void (*dmb_xml2wbxml_destroy_fn)(struct WBXMLConvXML2WBXML_s *conv);

typedef const unsigned char *(*dmb_wbxml_errors_string_fn)(dmb_wbxml_error error);
/* wbxml_mem.h (not installed): frees what the converters return. */
typedef void (*dmb_wbxml_free_fn)(void *memblock);

#endif /* DMBOOT_WBXML_ABI_H */
