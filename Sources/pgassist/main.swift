// Entry point: parse the command line and run the chosen command; all wiring lives in the commands.
PgAssist.runMain()
