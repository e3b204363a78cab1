from lunchlearn.cli import main

main()
