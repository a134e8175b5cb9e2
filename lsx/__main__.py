from lsx.cli.app import main

main()
