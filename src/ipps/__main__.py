from ipps.cli import main

main()
