# The images plugin as a .so: SHA-256 from libcrypto, dlopen for libcurl
# and libarchive (never linked: see dl.h).
LIBS_images := -lcrypto -ldl -lpthread
