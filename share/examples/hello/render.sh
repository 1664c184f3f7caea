#!/bin/sh
# render.sh WHO: the template with @WHO@ replaced.
sed "s/@WHO@/$1/" template.sh
