# The images plugin as a .so: SHA-256 from mbedtls or a dlopened libcrypto,
# dlopen for libcurl and libarchive (never linked: see dl.h).
LIBS_images := -lmbedcrypto -ldl -lpthread
