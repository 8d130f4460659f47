#!/bin/bash
# vm-requires: page_idle
echo "skip: dummy always skips"
exit 77
