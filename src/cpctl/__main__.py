from cpctl.cli import main

main()
