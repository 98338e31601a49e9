from ntro_ship.cli import main

raise SystemExit(main())
