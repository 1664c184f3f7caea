#!/bin/sh
echo "Hello, @WHO@! This program was built by dbuild in two stages."
