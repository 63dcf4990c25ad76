# Leadflow — the two commands of the README are `make run` and `make test`.
.PHONY: run test setup stack-start stack-stop build bench clean

run:          ## set up, start broker + PostgreSQL + the five services on the embedded defaults, until Ctrl-C
	@bash scripts/run

test:         ## set up, start the embedded stack, build and run every test (unit + integration)
	@bash scripts/test

setup:        ## install everything the project needs (idempotent)
	@bash scripts/setup

stack-start:  ## start only the Tansu broker and PostgreSQL
	@bash scripts/stack start

stack-stop:   ## stop the Tansu broker and PostgreSQL
	@bash scripts/stack stop

build:        ## build every product (debug)
	@bash -c 'source scripts/lib.sh && swift build'

clean:        ## remove build output (keeps .run/ tools and data)
	rm -rf .build
