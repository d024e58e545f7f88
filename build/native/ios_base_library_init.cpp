// libLibTorchSharp.so from TorchSharp 0.107 was linked against GCC 13's libstdc++, whose headers make
// every translation unit call std::ios_base_library_init() (GLIBCXX_3.4.32). Debian 12 ships GCC 12's
// libstdc++, which lacks it. This definition does what GCC 13's does: make sure the standard streams
// exist. The build adds this library as a dependency of the copied libLibTorchSharp.so and marks the
// GLIBCXX_3.4.32 requirement weak (see Torch.targets), so the loader accepts the unversioned symbol.
#include <ios>

namespace std {
void ios_base_library_init() {
    static ios_base::Init streams_initialised;
}
}
