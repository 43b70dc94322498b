# ntopng-go: the two commands of the README are `make run` and `make test`.

.PHONY: build run test bench fuzz conformance

build:
	go build -o ntopng .

# Run the product on the bundled sample capture: REST on :3000, admin/admin.
run: build
	./ntopng ntopng.conf

# Everything CI runs: system packages the tests use (when missing and
# installable), formatting, vet, and every test with the race detector.
test:
	@command -v ip >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && apt-get install -y -qq iproute2 >/dev/null) || echo "iproute2 not installed: the live-capture test will be skipped"; }
	@command -v curl >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && apt-get install -y -qq curl >/dev/null) || echo "curl not installed: the test-script timing test will be skipped"; }
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
		if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go test -race -count=1 ./...

# Packet-path and memory benchmarks; NTOPNG_BENCH_PCAP selects the capture
# (e.g. the mixed capture of ../shared/bench/make-mixed-pcap).
bench:
	go test -run XXX -bench 'PacketPath|SteadyState|CaptureFile' -benchtime 2000000x -cpu 1 ./probe/
	go test -run XXX -bench 'MemoryPerEntry' -benchtime 1x -cpu 1 ./probe/
	go test -run XXX -bench . -benchmem ./probe/decode/ ./lua/

# Each fuzz target for 60 s.
fuzz:
	go test -run XXX -fuzz FuzzDecode -fuzztime 60s ./probe/decode/
	for f in FuzzDNS FuzzHTTP FuzzTLS FuzzQUIC FuzzApp FuzzNetDissectors FuzzVoip FuzzMeta; do \
		go test -run XXX -fuzz "^$$f$$" -fuzztime 60s ./probe/dpi/ || exit 1; done
	go test -run XXX -fuzz FuzzDecodeJSON -fuzztime 60s ./lua/
	go test -run XXX -fuzz FuzzBuildParams -fuzztime 60s ./rest/

# The shared conformance runners (need ../shared).
conformance: build
	../shared/conformance/run-e2e --bin ./ntopng
	../shared/conformance/run-dpi --bin ./ntopng --jobs 2
