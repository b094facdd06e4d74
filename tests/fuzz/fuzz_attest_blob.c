/* Fuzz mcred_attest_verify() with arbitrary bytes (see verify_blob.h). */
#include "verify_blob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_verify_blob(data, size, mcred_attest_verify);
}
