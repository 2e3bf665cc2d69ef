# Spatial pyramid pooling: Spatial Pyramid Pooling in Deep Convolutional
# Networks for Visual Recognition (He et al., 2014),
# https://arxiv.org/abs/1406.4729.
#
# Max-pools the last conv feature map into 4x4, 2x2 and 1x1 bins whatever
# its spatial size, and concatenates them into a fixed-length vector for the
# fully connected layer (adaptive bins, as PyTorch re-implementations).
#
# Real shapes (SPP-net, ZF-5): channels = 256, 13x13 maps at 224 input,
# levels [4, 2, 1] -> 256 * 21 = 5376 features, fc = 4096.

model spatial_pyramid(channels = 16, height = 13, width = 13, fc = 32)

weight fc6: f32[channels * 21, fc]

func head {
  input conv5: f32[B, channels, height, width]
  spp = spatial_pyramid_pool(conv5, levels = [4, 2, 1], kind = max)
  y = relu(matmul(spp, fc6))
  output y
}

func adaptive {
  input conv5: f32[B, channels, height, width]
  y = adaptive_pool(conv5, output_size = [6, 6], kind = avg)
  output y
}
