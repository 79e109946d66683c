from stockturn.cli.app import main

main()
