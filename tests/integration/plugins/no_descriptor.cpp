// no_descriptor.cpp: a valid shared object that is not a dbuild plugin (no dbuild_plugin alias).
extern "C" int some_other_library_function() { return 42; }
