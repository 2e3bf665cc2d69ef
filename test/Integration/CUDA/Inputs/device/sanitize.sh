#!/bin/bash
# Re-runs the given device tests with sluicec under compute-sanitizer memcheck.
B=/work/main/build-static
CS=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
echo "sanitizer: $CS"
mv $B/bin/sluicec $B/bin/sluicec.real
cat > $B/bin/sluicec <<EOW
#!/bin/bash
case " \$* " in
  *" --target=cuda "*) exec $CS --tool memcheck --print-limit 6 --error-exitcode 99 $B/bin/sluicec.real "\$@" ;;
  *) exec $B/bin/sluicec.real "\$@" ;;
esac
EOW
chmod +x $B/bin/sluicec
PY=$(command -v python3)
cd /work/main
timeout 400 $PY /usr/lib/llvm-22/bin/lit -v -j16 $(for t in "$@"; do echo $B/test/${t#test/}; done) > ${OUT:-/tmp}/sanitize.log 2>&1
grep -E 'Invalid|at 0x|by thread|Address|ERROR SUMMARY|^(PASS|FAIL)|RUN: at line' ${OUT:-/tmp}/sanitize.log | grep -v '^\+' | head -150
