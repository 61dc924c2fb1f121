/* The commands: `call` (UAC load), `answer` (UAS) and `demo`. Each returns the exit code. */
#ifndef SB_APP_RUN_H
#define SB_APP_RUN_H

#include "app/cli.h"

int sb_run_call(const sb_cli *cli);
int sb_run_answer(const sb_cli *cli);
int sb_run_demo(const sb_cli *cli);
/* `sipbeat register URI`: 0 registered and unregistered cleanly, 1 otherwise. */
int sb_run_register(const sb_cli *cli);
/* `sipbeat parse [FILE|-]` (argv after the command): 0 valid, 1 malformed, 2 usage, 3 I/O. */
int sb_run_parse(int argc, char **argv);

#endif
