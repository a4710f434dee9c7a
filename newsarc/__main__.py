from newsarc.cli.entry import main

main()
