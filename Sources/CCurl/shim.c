#include "CCurl.h"

CURLcode vigil_curl_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURLcode vigil_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode vigil_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode vigil_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode vigil_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode vigil_curl_setopt_write_callback(CURL *handle, CURLoption option, vigil_curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode vigil_curl_setopt_read_callback(CURL *handle, vigil_curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

CURLcode vigil_curl_setopt_xferinfo_callback(CURL *handle, vigil_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

CURLcode vigil_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode vigil_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
