/*
 * gendoc: make the files that come from the option table (cli/cmdline.c),
 * so that --help, bash completion and modemcred(1) describe the same options.
 *
 *   gendoc bash             the bash completion script, on stdout
 *   gendoc man MANPAGE      MANPAGE with its generated regions rewritten, on stdout
 *
 * A generated region of the man page lies between the lines
 * `.\" generated: NAME begin` and `.\" generated: NAME end`; NAME is
 * global-options, command-options, or COMMAND-options for a command whose
 * section lists its own options (provision), which command-options then
 * leaves out. `make docs` runs both; a test (tests/integration/test_docs.sh)
 * fails when the committed files differ.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- bash completion ------------------------------------------------------- */

/* The alternatives of an arg such as "none|rtscts", as "none rtscts". */
static void print_words(const char *arg)
{
	for (; *arg; arg++)
		putchar(*arg == '|' ? ' ' : *arg);
}

/*
 * Non-zero when def takes a value but another command's option of the same
 * name is a flag (verify's --attest STRING, provision's --attest): whether
 * a value follows depends on the command.
 */
static int value_depends_on_command(const struct cli_opt_def *def)
{
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);

	for (i = 0; i < count; i++)
		if (def->takes_value && !defs[i].takes_value && !strcmp(defs[i].name, def->name))
			return 1;
	return 0;
}

/*
 * "-o|--output" patterns of the options whose values complete as kind (all
 * with values_only), but for the options whose value depends on the command.
 */
static void print_value_patterns(enum cli_complete kind, int values_only)
{
	size_t i, count, n = 0;
	const struct cli_opt_def *defs = cli_opt_defs(&count);

	for (i = 0; i < count; i++) {
		if (!defs[i].takes_value || (!values_only && defs[i].complete != kind) ||
		    (!values_only && value_depends_on_command(&defs[i])))
			continue;
		if (defs[i].short_name)
			printf("%s-%c", n++ ? "|" : "", defs[i].short_name);
		printf("%s--%s", n++ ? "|" : "", defs[i].name);
	}
}

/* Long names of cmd's own options (CMD_NONE: the global ones, offered after every command). */
static void print_option_names(enum cli_command cmd)
{
	size_t i, count, n = 0;
	const struct cli_opt_def *defs = cli_opt_defs(&count);

	for (i = 0; i < count; i++)
		if (cli_command_takes(cmd, &defs[i]) &&
		    cli_opt_is_global(&defs[i]) == (cmd == CMD_NONE))
			printf("%s--%s", n++ ? " " : "", defs[i].name);
}

static void print_command_names(void)
{
	int c;

	for (c = CMD_NONE + 1; c < CMD_COUNT; c++)
		printf("%s%s", c > CMD_NONE + 1 ? " " : "", cli_commands[c].name);
}

static void print_type_names(void)
{
	int t;

	for (t = 0; mcred_type_name(t); t++)
		printf("%s%s", t ? " " : "", mcred_type_name(t));
}

/* "\t-o|--output)" for the options whose values complete as kind; 0 when none. */
static int case_label(enum cli_complete kind)
{
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);

	for (i = 0; i < count; i++)
		if (defs[i].takes_value && defs[i].complete == kind &&
		    !value_depends_on_command(&defs[i]))
			break;
	if (i == count)
		return 0;
	printf("\t");
	print_value_patterns(kind, 0);
	printf(")\n");
	return 1;
}

/* What completes a value of kind (a case's body). */
static void print_value_action(enum cli_complete kind, const char *indent)
{
	switch (kind) {
	case CLI_COMPLETE_TYPE:
		printf("%sCOMPREPLY=($(compgen -W '", indent);
		print_type_names();
		printf("' -- \"$cur\"))\n");
		break;
	case CLI_COMPLETE_FILE: printf("%s_modemcred_files\n", indent); break;
	case CLI_COMPLETE_DIR: printf("%s_modemcred_dirs\n", indent); break;
	default: break;
	}
}

/* --attest: a value after the commands that take one, else on to the next word. */
static void bash_command_dependent_cases(void)
{
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);
	int c, n;

	for (i = 0; i < count; i++) {
		if (!value_depends_on_command(&defs[i]))
			continue;
		printf("\t--%s)\n\t\tcase $cmd in\n\t\t", defs[i].name);
		for (c = CMD_NONE + 1, n = 0; c < CMD_COUNT; c++)
			if (cli_command_takes((enum cli_command)c, &defs[i]))
				printf("%s%s", n++ ? "|" : "", cli_commands[c].name);
		printf(")\n");
		print_value_action(defs[i].complete, "\t\t\t");
		printf("\t\t\treturn ;;\n\t\tesac ;;\n");
	}
}

static void bash_value_cases(void)
{
	static const enum cli_complete grouped[] = { CLI_COMPLETE_TYPE, CLI_COMPLETE_FILE,
						     CLI_COMPLETE_DIR };
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);

	printf("\tcase $prev in\n");
	bash_command_dependent_cases();
	for (i = 0; i < count; i++) {
		if (defs[i].complete != CLI_COMPLETE_WORDS)
			continue;
		printf("\t--%s)\n\t\tCOMPREPLY=($(compgen -W '", defs[i].name);
		print_words(defs[i].arg);
		printf("' -- \"$cur\"))\n\t\treturn ;;\n");
	}
	for (i = 0; i < sizeof(grouped) / sizeof(grouped[0]); i++) {
		if (!case_label(grouped[i]))
			continue;
		print_value_action(grouped[i], "\t\t");
		printf("\t\treturn ;;\n");
	}
	if (case_label(CLI_COMPLETE_NONE))
		printf("\t\treturn ;; # a number or a string: nothing to offer\n");
	printf("\tesac\n");
}

static void bash_option_cases(void)
{
	int c;

	printf("\t\tcase $cmd in\n");
	for (c = CMD_NONE + 1; c < CMD_COUNT; c++) {
		if (!cli_commands[c].allowed)
			continue;
		printf("\t\t%s) opts='", cli_commands[c].name);
		print_option_names((enum cli_command)c);
		printf("' ;;\n");
	}
	printf("\t\t*) opts= ;;\n\t\tesac\n");
}

static void bash_argument_cases(void)
{
	int c;

	printf("\tcase $cmd in\n\t'')\n\t\tCOMPREPLY=($(compgen -W \"$commands\" -- \"$cur\")) ;;\n");
	for (c = CMD_NONE + 1; c < CMD_COUNT; c++) {
		switch (cli_command_args_complete((enum cli_command)c)) {
		case CLI_COMPLETE_COMMAND:
			printf("\t%s)\n\t\tCOMPREPLY=($(compgen -W \"$commands\" -- \"$cur\")) ;;\n",
			       cli_commands[c].name);
			break;
		case CLI_COMPLETE_FILE:
			printf("\t%s)\n\t\t_modemcred_files ;;\n", cli_commands[c].name);
			break;
		default: break;
		}
	}
	printf("\tesac\n");
}

static int gen_bash(void)
{
	printf("# bash completion for modemcred(1), installed by `make install` as\n"
	       "# share/bash-completion/completions/modemcred.\n"
	       "#\n"
	       "# Generated by cli/gendoc.c from the option table in cli/cmdline.c: do not\n"
	       "# edit, run `make docs`.\n"
	       "\n"
	       "_modemcred_files()\n"
	       "{\n"
	       "\tcompopt -o filenames 2>/dev/null\n"
	       "\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	       "}\n"
	       "\n"
	       "_modemcred_dirs()\n"
	       "{\n"
	       "\tcompopt -o filenames 2>/dev/null\n"
	       "\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n"
	       "}\n"
	       "\n"
	       "_modemcred()\n"
	       "{\n"
	       "\tlocal cur prev cmd opts i commands='");
	print_command_names();
	printf("'\n"
	       "\tlocal global='");
	print_option_names(CMD_NONE);
	printf("'\n"
	       "\n"
	       "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	       "\tprev=\n"
	       "\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	       "\t# --name=value: bash splits at '=', so the value follows a word \"=\"\n"
	       "\tif [ \"$cur\" = \"=\" ]; then\n"
	       "\t\tcur=\n"
	       "\telif [ \"$prev\" = \"=\" ] && [ \"$COMP_CWORD\" -gt 1 ]; then\n"
	       "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
	       "\tfi\n"
	       "\n"
	       "\t# The command: the first word that is neither an option nor a value.\n"
	       "\tcmd=\n"
	       "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	       "\t\tcase ${COMP_WORDS[i]} in\n"
	       "\t\t");
	print_value_patterns(CLI_COMPLETE_NONE, 1);
	printf(")\n"
	       "\t\t\t[ \"${COMP_WORDS[i+1]}\" = \"=\" ] && ((i++))\n"
	       "\t\t\t((i++)) ;;\n"
	       "\t\t-*) ;;\n"
	       "\t\t*)\n"
	       "\t\t\tcmd=${COMP_WORDS[i]}\n"
	       "\t\t\tbreak ;;\n"
	       "\t\tesac\n"
	       "\tdone\n"
	       "\n");
	bash_value_cases();
	printf("\n"
	       "\tif [[ $cur == -* ]]; then\n");
	bash_option_cases();
	printf("\t\tCOMPREPLY=($(compgen -W \"$opts $global\" -- \"$cur\"))\n"
	       "\t\treturn\n"
	       "\tfi\n");
	bash_argument_cases();
	printf("}\n"
	       "\n"
	       "complete -F _modemcred modemcred\n");
	return 0;
}

/* ---- man page ------------------------------------------------------------- */

/*
 * Plain text as roff on out: backslashes and hyphens escaped, `quoted`
 * words in bold. capital: upper-case the first letter (a --help line
 * starts lower-case).
 */
static void roff_escape(FILE *out, const char *text, int capital)
{
	int bold = 0;

	for (; *text; text++) {
		char c = *text;

		if (capital) {
			c = (char)toupper((unsigned char)c);
			capital = 0;
		}
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else if (c == '`')
			fputs((bold = !bold) ? "\\fB" : "\\fR", out);
		else
			fputc(c, out);
	}
}

static void roff_text(const char *text, int capital)
{
	roff_escape(stdout, text, capital);
}

#define ROFF_WIDTH 79

/*
 * Text lines of a paragraph as roff wants them: each sentence on a new
 * line, lines broken between words before ROFF_WIDTH columns.
 */
static void roff_paragraph(const char *text, int capital)
{
	char *buf = NULL, *p;
	size_t size = 0, col = 0;
	FILE *mem = open_memstream(&buf, &size);

	if (!mem)
		exit(1);
	roff_escape(mem, text, capital);
	fclose(mem);
	for (p = buf; *p;) {
		size_t word = strcspn(p, " ");
		int sentence_end = word > 0 && p[word - 1] == '.' && p[word] == ' ' &&
				   (isupper((unsigned char)p[word + 1]) || p[word + 1] == '\\');

		if (col > 0 && col + 1 + word > ROFF_WIDTH) {
			putchar('\n');
			col = 0;
		} else if (col > 0) {
			putchar(' ');
			col++;
		}
		if (col == 0 && (*p == '.' || *p == '\'')) /* else a roff request */
			fputs("\\&", stdout);
		fwrite(p, 1, word, stdout);
		col += word;
		p += word;
		p += strspn(p, " ");
		if (sentence_end) {
			putchar('\n');
			col = 0;
		}
	}
	if (col > 0)
		putchar('\n');
	free(buf);
}

/* The .TP tag line: "\fB\-p\fR, \fB\-\-port\fR \fIPORT\fR". */
static void roff_option_tag(const struct cli_opt_def *def)
{
	printf(".TP\n");
	if (def->short_name)
		printf("\\fB\\-%c\\fR, ", def->short_name);
	printf("\\fB");
	roff_text("--", 0);
	roff_text(def->name, 0);
	printf("\\fR");
	if (!def->arg) {
		putchar('\n');
		return;
	}
	if (def->complete == CLI_COMPLETE_WORDS) {
		const char *p;

		printf(" \\fB");
		for (p = def->arg; *p; p++)
			if (*p == '|')
				printf("\\fR|\\fB");
			else
				roff_text((char[2]){ *p, 0 }, 0);
		printf("\\fR\n");
	} else {
		printf(" \\fI%s\\fR\n", def->arg);
	}
}

/* A one-line help as a sentence: capitalised, ending with a full stop. */
static void roff_sentence(const char *text)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s%s", text, text[strlen(text) - 1] == '.' ? "" : ".");
	roff_paragraph(buf, 1);
}

/* Commands whose man page section lists their own options (a COMMAND-options region). */
static unsigned own_sections;

/* Non-zero when def is documented under COMMAND OPTIONS for c. */
static int listed_for(enum cli_command c, const struct cli_opt_def *def)
{
	return cli_command_takes(c, def) && !(own_sections & CMDBIT(c));
}

static int listed_for_any(const struct cli_opt_def *def)
{
	int c;

	for (c = CMD_NONE + 1; c < CMD_COUNT; c++)
		if (listed_for((enum cli_command)c, def))
			return 1;
	return 0;
}

static void roff_option(const struct cli_opt_def *def)
{
	int c, n = 0;

	roff_option_tag(def);
	roff_sentence(def->help);
	if (def->details)
		roff_paragraph(def->details, 0);
	if (cli_opt_is_global(def))
		return;
	/* Which commands take it, and what it means where a command says more. */
	for (c = CMD_NONE + 1; c < CMD_COUNT; c++) {
		if (!listed_for((enum cli_command)c, def) ||
		    cli_opt_help((enum cli_command)c, def) != def->help)
			continue;
		printf("%s\\fB%s\\fR", n++ ? ", " : "Commands: ", cli_commands[c].name);
	}
	if (n)
		printf(".\n");
	for (c = CMD_NONE + 1; c < CMD_COUNT; c++) {
		if (!listed_for((enum cli_command)c, def) ||
		    cli_opt_help((enum cli_command)c, def) == def->help)
			continue;
		printf(".br\n\\fB%s\\fR:\n", cli_commands[c].name);
		roff_sentence(cli_opt_help((enum cli_command)c, def));
	}
}

/* An option in its command's own section: what it means there, and whether it repeats. */
static void roff_command_option(enum cli_command cmd, const struct cli_opt_def *def)
{
	const char *details = cli_opt_details(cmd, def);

	roff_option_tag(def);
	roff_sentence(cli_opt_help(cmd, def));
	if (details)
		roff_paragraph(details, 0);
	if (cli_opt_repeatable(cmd, def))
		roff_sentence(CLI_REPEATABLE);
}

/* The command of a region "COMMAND-options", or CMD_NONE. */
static enum cli_command region_command(const char *name)
{
	size_t len = strlen(name);
	int c;

	if (len <= 8 || strcmp(name + len - 8, "-options") != 0)
		return CMD_NONE;
	for (c = CMD_NONE + 1; c < CMD_COUNT; c++)
		if (strlen(cli_commands[c].name) == len - 8 &&
		    !strncmp(cli_commands[c].name, name, len - 8))
			return (enum cli_command)c;
	return CMD_NONE;
}

static void gen_man_region(const char *name)
{
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);
	enum cli_command cmd = region_command(name);

	if (!strcmp(name, "global-options") || !strcmp(name, "command-options")) {
		int global = strcmp(name, "global-options") == 0;

		for (i = 0; i < count; i++)
			if (cli_opt_is_global(&defs[i]) == global &&
			    (global || listed_for_any(&defs[i])))
				roff_option(&defs[i]);
		return;
	}
	/* as in its --help: the global options it gives a meaning of its own first */
	for (i = 0; i < count; i++)
		if (cli_opt_is_global(&defs[i]) && cli_command_takes(cmd, &defs[i]))
			roff_command_option(cmd, &defs[i]);
	for (i = 0; i < count; i++)
		if (!cli_opt_is_global(&defs[i]) && cli_command_takes(cmd, &defs[i]))
			roff_command_option(cmd, &defs[i]);
}

#define MARK ".\\\" generated: "

/* The name of the region a marker line begins, or 0 when it begins none. */
static int region_begins(const char *line, char *name, size_t size)
{
	char buf[64];

	if (sscanf(line, MARK "%63s begin", buf) != 1 || !strstr(line, " begin"))
		return 0;
	snprintf(name, size, "%s", buf);
	return 1;
}

/* Which commands have a section of their own (they are left out of command-options). */
static void find_own_sections(FILE *in)
{
	char line[1024], name[64];

	own_sections = 0;
	while (fgets(line, sizeof(line), in))
		if (region_begins(line, name, sizeof(name)) && region_command(name) != CMD_NONE)
			own_sections |= CMDBIT(region_command(name));
	rewind(in);
}

/* Copy the man page, rewriting what lies between the markers of each region. */
static int gen_man(const char *path)
{
	char line[1024], region[64] = "";
	int regions = 0;
	FILE *in = fopen(path, "r");

	if (!in) {
		perror(path);
		return 1;
	}
	find_own_sections(in);
	while (fgets(line, sizeof(line), in)) {
		char name[64];

		if (region[0]) {
			if (strncmp(line, MARK, strlen(MARK)) != 0)
				continue; /* the old generated text */
			region[0] = '\0';
		}
		fputs(line, stdout);
		if (region_begins(line, name, sizeof(name))) {
			if (region_command(name) == CMD_NONE && strcmp(name, "global-options") &&
			    strcmp(name, "command-options")) {
				regions = -1; /* reported below */
				break;
			}
			snprintf(region, sizeof(region), "%s", name);
			gen_man_region(region);
			if (region_command(name) == CMD_NONE)
				regions++;
		}
	}
	fclose(in);
	if (region[0] || regions != 2) {
		fprintf(stderr,
			"gendoc: %s: expected the regions global-options and "
			"command-options (and COMMAND-options), each with a begin and an end "
			"marker\n",
			path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "bash") == 0)
		return gen_bash();
	if (argc == 3 && strcmp(argv[1], "man") == 0)
		return gen_man(argv[2]);
	fprintf(stderr, "usage: gendoc bash | gendoc man MANPAGE\n");
	return 2;
}
