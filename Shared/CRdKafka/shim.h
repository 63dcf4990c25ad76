#ifndef LEADFLOW_CRDKAFKA_SHIM_H
#define LEADFLOW_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#endif
