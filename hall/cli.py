"""The `hall` console script."""
import sys


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("serve", "demo"):
        # the server's green threads need the standard library patched before anything uses it
        from gevent import monkey
        monkey.patch_all()
    from .commands import cli
    cli()


if __name__ == "__main__":
    main()
