#ifndef VIGIL_CCURL_H
#define VIGIL_CCURL_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are C-variadic, which Swift cannot call.
   One typed wrapper per argument type is all Vigil needs. */

typedef size_t (*vigil_curl_write_callback)(char *data, size_t size, size_t count, void *context);
/* CURLOPT_READFUNCTION: curl asks for up to size * count bytes of upload data (SMTP DATA). */
typedef size_t (*vigil_curl_read_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*vigil_curl_xferinfo_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                            curl_off_t upload_total, curl_off_t upload_now);

/* CURL_GLOBAL_DEFAULT is a macro built from other macros, which Swift does not import. */
CURLcode vigil_curl_global_init_default(void);

CURLcode vigil_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode vigil_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode vigil_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode vigil_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode vigil_curl_setopt_write_callback(CURL *handle, CURLoption option, vigil_curl_write_callback callback);
CURLcode vigil_curl_setopt_read_callback(CURL *handle, vigil_curl_read_callback callback);
CURLcode vigil_curl_setopt_xferinfo_callback(CURL *handle, vigil_curl_xferinfo_callback callback);
CURLcode vigil_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode vigil_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);

#endif
