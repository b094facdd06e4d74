/*
 * The options sections of --help, made at run time from the option table
 * (cli_opt_defs() in cmdline.c), so help, completion and the man page cannot
 * disagree. The prose around them stays hand-written next to each command.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define HELP_WIDTH 79
#define HELP_DESC_COL 24 /* where descriptions start */

/* "  -o, --output FILE" or "      --tag N" into buf; returns its length. */
static size_t option_spec(const struct cli_opt_def *def, char *buf, size_t len)
{
	int n;

	if (def->short_name)
		n = snprintf(buf, len, "  -%c, --%s%s%s", def->short_name, def->name,
			     def->arg ? " " : "", def->arg ? def->arg : "");
	else
		n = snprintf(buf, len, "      --%s%s%s", def->name, def->arg ? " " : "",
			     def->arg ? def->arg : "");
	return n < 0 ? 0 : (size_t)n;
}

/* Words of text from column col on, wrapped at HELP_WIDTH with HELP_DESC_COL indent. */
static void print_wrapped(FILE *out, const char *text, size_t col)
{
	while (*text) {
		size_t word = strcspn(text, " ");

		if (col > HELP_DESC_COL && col + 1 + word > HELP_WIDTH) {
			fprintf(out, "\n%*s", HELP_DESC_COL, "");
			col = HELP_DESC_COL;
		} else if (col > HELP_DESC_COL) {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, word, out);
		col += word;
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

static void print_option(FILE *out, enum cli_command cmd, const struct cli_opt_def *def)
{
	char spec[96], line[512];
	size_t len = option_spec(def, spec, sizeof(spec));

	fputs(spec, out);
	if (len + 2 > HELP_DESC_COL) { /* too long: the description on its own line */
		fprintf(out, "\n%*s", HELP_DESC_COL, "");
	} else {
		fprintf(out, "%*s", (int)(HELP_DESC_COL - len), "");
	}
	print_wrapped(out, cli_opt_help_line(cmd, def, line, sizeof(line)), HELP_DESC_COL);
}

const char *cli_opt_help_line(enum cli_command cmd, const struct cli_opt_def *def, char *buf,
			      size_t size)
{
	const char *help = cli_opt_help(cmd, def);

	if (!cli_opt_repeatable(cmd, def))
		return help;
	snprintf(buf, size, "%s; %s", help, CLI_REPEATABLE);
	return buf;
}

/*
 * A command's own options, and the global options it gives a meaning of
 * its own (provision's -p), which its help then lists with that meaning.
 */
int cli_command_takes(enum cli_command cmd, const struct cli_opt_def *def)
{
	if (cmd == CMD_NONE)
		return cli_opt_is_global(def);
	if (cli_opt_is_global(def))
		return cli_opt_has_note(cmd, def);
	return (cli_commands[cmd].allowed & OPTBIT(def->id)) != 0;
}

void cli_help_options(FILE *out, enum cli_command cmd)
{
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);

	/* A command's global options with a meaning of their own (provision's -p) first. */
	for (i = 0; i < count; i++)
		if (cmd != CMD_NONE && cli_opt_is_global(&defs[i]) &&
		    cli_command_takes(cmd, &defs[i]))
			print_option(out, cmd, &defs[i]);
	for (i = 0; i < count; i++)
		if (cli_opt_is_global(&defs[i]) == (cmd == CMD_NONE) &&
		    cli_command_takes(cmd, &defs[i]))
			print_option(out, cmd, &defs[i]);
}

void cli_help_print(FILE *out, const char *text, enum cli_command cmd)
{
	const char *marker = strstr(text, CLI_HELP_OPTIONS);

	if (!marker) {
		fputs(text, out);
		return;
	}
	fwrite(text, 1, (size_t)(marker - text), out);
	cli_help_options(out, cmd);
	fputs(marker + strlen(CLI_HELP_OPTIONS), out);
}
