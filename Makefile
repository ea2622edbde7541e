# The two commands of the README. Each installs what it needs into .venv by itself.
.PHONY: demo test
demo:  ## ingest the example corpus and print its briefs
	scripts/demo.sh
test:  ## run the whole test suite
	scripts/test.sh
