#ifndef VIGIL_CJSONC_SHIM_H
#define VIGIL_CJSONC_SHIM_H
#include <json-c/json.h>
#endif
