from newsarc.entry import main

main()
