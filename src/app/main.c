/* sipbeat executable: parse the command line, then hand over to the command. */
#include "app/cli.h"
#include "app/run.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    static sb_cli cli; /* large (engine config), and alive for the whole run */
    char err[512];
    /* parse shares no flags with the call commands: it takes only a file */
    if (argc >= 2 && strcmp(argv[1], "parse") == 0) return sb_run_parse(argc - 2, argv + 2);
    int rc = sb_cli_parse(&cli, argc, argv, err, sizeof err);
    if (rc) {
        fprintf(stderr, "%s\n", err);
        return rc;
    }
    switch (cli.cmd) {
    case SB_CMD_VERSION:
        printf("sipbeat %s\n", SB_VERSION);
        return 0;
    case SB_CMD_CALL:
        return sb_run_call(&cli);
    case SB_CMD_ANSWER:
        return sb_run_answer(&cli);
    case SB_CMD_DEMO:
        return sb_run_demo(&cli);
    case SB_CMD_REGISTER:
        return sb_run_register(&cli);
    default:
        fputs(sb_cli_help(cli.help_about), stdout);
        return 0;
    }
}
