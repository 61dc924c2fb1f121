/* The commands: `call` (UAC load), `answer` (UAS) and `demo`. Each returns the exit code. */
#ifndef SB_APP_RUN_H
#define SB_APP_RUN_H

#include "app/cli.h"

int sb_run_call(const sb_cli *cli);
int sb_run_answer(const sb_cli *cli);
int sb_run_demo(const sb_cli *cli);

#endif
