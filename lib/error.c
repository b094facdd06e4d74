/* Error codes, CME meanings and error records. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "handle.h"

const char *mcred_version(void)
{
	return MCRED_VERSION_STRING;
}

const char *mcred_strerror(enum mcred_err code)
{
	switch (code) {
	case MCRED_OK: return "success";
	case MCRED_ERR_INVALID_ARG: return "invalid argument (nothing was sent to the modem)";
	case MCRED_ERR_NOMEM: return "out of memory";
	case MCRED_ERR_PORT: return "the serial port could not be found, opened or configured";
	case MCRED_ERR_IO: return "reading from or writing to the port failed";
	case MCRED_ERR_TIMEOUT: return "operation timed out: the modem did not finish answering";
	case MCRED_ERR_PROTOCOL: return "the modem's answer was malformed or unexpected";
	case MCRED_ERR_TOO_LARGE: return "the modem's answer exceeded the response size limit";
	case MCRED_ERR_MODEM: return "the modem answered ERROR";
	case MCRED_ERR_CME: return "the modem answered +CME ERROR";
	case MCRED_ERR_CMS: return "the modem answered +CMS ERROR";
	case MCRED_ERR_NOT_FOUND: return "the credential does not exist";
	case MCRED_ERR_MISMATCH: return "the modem's digest differs from the expected one";
	case MCRED_ERR_UNSUPPORTED: return "the modem or its firmware cannot do this";
	case MCRED_ERR_DECODE: return "the data is malformed and could not be decoded";
	case MCRED_ERR_VERIFY: return "a cryptographic check failed";
	case MCRED_ERR_CANCELLED: return "operation cancelled";
	case MCRED_ERR_CRYPTO: return "the cryptographic library failed";
	case MCRED_ERR_BUSY: return "the serial port is in use by another program";
	}
	return "unknown error";
}

const char *mcred_err_name(enum mcred_err code)
{
	/* #c: the name is spelt once, as the compiler sees it */
#define MCRED_ERR_NAME(c) \
	case c: return #c
	switch (code) {
		MCRED_ERR_NAME(MCRED_OK);
		MCRED_ERR_NAME(MCRED_ERR_INVALID_ARG);
		MCRED_ERR_NAME(MCRED_ERR_NOMEM);
		MCRED_ERR_NAME(MCRED_ERR_PORT);
		MCRED_ERR_NAME(MCRED_ERR_IO);
		MCRED_ERR_NAME(MCRED_ERR_TIMEOUT);
		MCRED_ERR_NAME(MCRED_ERR_PROTOCOL);
		MCRED_ERR_NAME(MCRED_ERR_TOO_LARGE);
		MCRED_ERR_NAME(MCRED_ERR_MODEM);
		MCRED_ERR_NAME(MCRED_ERR_CME);
		MCRED_ERR_NAME(MCRED_ERR_CMS);
		MCRED_ERR_NAME(MCRED_ERR_NOT_FOUND);
		MCRED_ERR_NAME(MCRED_ERR_MISMATCH);
		MCRED_ERR_NAME(MCRED_ERR_UNSUPPORTED);
		MCRED_ERR_NAME(MCRED_ERR_DECODE);
		MCRED_ERR_NAME(MCRED_ERR_VERIFY);
		MCRED_ERR_NAME(MCRED_ERR_CANCELLED);
		MCRED_ERR_NAME(MCRED_ERR_CRYPTO);
		MCRED_ERR_NAME(MCRED_ERR_BUSY);
	}
#undef MCRED_ERR_NAME
	return NULL;
}

const char *mcred_cme_message(int cme)
{
	switch (cme) {
	case 0: return "0: phone failure, an invalid command or parameter";
	case 23: return "23: memory failure";
	case 50: return "50: incorrect parameters";
	case 60: return "60: system error";
	case 513: return "513: not found";
	case 514: return "514: no access / not allowed";
	case 515: return "515: memory full; delete credentials no longer needed";
	case 518:
		return "518: not allowed while the modem is online: take it offline "
		       "first (AT+CFUN=4), or let the library do it with the auto_offline "
		       "option (it then restores the mode afterwards)";
	case 519: return "519: already exists";
	case 520: return "520: authentication failed";
	case 523: return "523: key generation failed";
	case 527:
		return "527: invalid content; check the PEM: some firmware rejects "
		       "CRLF line endings";
	case 528: return "528: not allowed while a power-off warning is active";
	default: return "unknown CME error";
	}
}

__attribute__((format(printf, 4, 0))) static void
error_fill(struct mcred_error *err, enum mcred_err code, int cme, const char *fmt, va_list ap)
{
	err->code = code;
	err->cme = cme;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

enum mcred_err mcred_error_set(struct mcred_error *err, enum mcred_err code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	error_fill(err, code, -1, fmt, ap);
	va_end(ap);
	return code;
}

void mcred_error_clear(struct mcred_error *err)
{
	if (!err)
		return;
	err->code = MCRED_OK;
	err->cme = -1;
	err->message[0] = '\0';
}

enum mcred_err mcred_fail(mcred_modem *m, enum mcred_err code, const char *fmt, ...)
{
	va_list ap;

	if (!m)
		return code;
	va_start(ap, fmt);
	error_fill(&m->err, code, -1, fmt, ap);
	va_end(ap);
	return code;
}

enum mcred_err mcred_succeed(mcred_modem *m)
{
	if (m)
		mcred_error_clear(&m->err);
	return MCRED_OK;
}
