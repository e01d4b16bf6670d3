"""The explorer's commands (private: ``moviattn.explorer.cli.register`` adds them): one module per
command, each with its ``add_parser`` and its ``cmd_*``; ``arguments`` holds what they share."""
