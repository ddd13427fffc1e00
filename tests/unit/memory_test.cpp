#include "clientrisk/detail/memory.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>

using clientrisk::detail::GrowableArray;
using clientrisk::detail::kHugePage;

namespace {

struct Item {
  std::uint64_t a = 7;
  std::uint32_t b = 9, c = 11;
};

Item item(std::size_t i) { return {i * 3, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(~i)}; }

// The first n elements of v are item(0) .. item(n - 1); stops at the first one that is not.
::testing::AssertionResult holds_items(const GrowableArray<Item>& v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const Item want = item(i);
    if (v[i].a != want.a || v[i].b != want.b || v[i].c != want.c)
      return ::testing::AssertionFailure() << "element " << i << " changed";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(GrowableArray, KeepsItsContentsFromSmallBlocksToLargeOnes) {
  GrowableArray<Item> v;
  const std::size_t n = 5 * kHugePage / sizeof(Item);
  std::size_t grown = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t before = v.capacity();
    v.push_back(item(i));
    grown += v.capacity() != before;
    ASSERT_GE(v.capacity(), v.size());
  }
  EXPECT_GT(grown, 5u);
  ASSERT_EQ(v.size(), n);
  EXPECT_TRUE(holds_items(v, n));
  // A large block is whole 2 MiB pages, aligned to them.
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % kHugePage, 0u);
  EXPECT_EQ(v.block_bytes() % kHugePage, 0u);
  const std::size_t block = (v.capacity() * sizeof(Item) + kHugePage - 1) / kHugePage * kHugePage;
  EXPECT_GT((v.capacity() + 1) * sizeof(Item), block);  // the capacity is the whole block's
}

#if defined(__linux__)
// When the addresses after a large block are taken, growing it moves its pages elsewhere: the
// contents come along.
TEST(GrowableArray, GrowsPastAnAddressTakenAfterItsBlock) {
  GrowableArray<Item> v;
  const std::size_t n = 2 * kHugePage / sizeof(Item) + 1;
  for (std::size_t i = 0; i < n; ++i) v.push_back(item(i));
  char* after = reinterpret_cast<char*>(v.data()) + v.block_bytes();
  void* page = mmap(after, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  ASSERT_TRUE(page == after || (page == MAP_FAILED && errno == EEXIST)) << "could not take the page after the block";
  const Item* before = v.data();
  v.reserve(v.capacity() + 1);
  EXPECT_NE(v.data(), before);
  ASSERT_EQ(v.size(), n);
  EXPECT_TRUE(holds_items(v, n));
  for (std::size_t i = n; i < v.capacity(); ++i) v.push_back(item(i));  // the new room is writable
  EXPECT_TRUE(holds_items(v, v.size()));
  if (page == after) munmap(page, 4096);
}

// An element pushed onto its own array stays whole when the push moves the block.
TEST(GrowableArray, PushingAnElementOfItsOwnArrayThatMovesIt) {
  GrowableArray<Item> v;
  const std::size_t n = kHugePage / sizeof(Item) + 1;
  for (std::size_t i = 0; i < n; ++i) v.push_back(item(i));
  while (v.size() < v.capacity()) v.push_back(item(v.size()));
  char* after = reinterpret_cast<char*>(v.data()) + v.block_bytes();
  void* page = mmap(after, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  ASSERT_TRUE(page == after || (page == MAP_FAILED && errno == EEXIST)) << "could not take the page after the block";
  const std::size_t size = v.size();
  const Item* before = v.data();
  v.push_back(v[3]);
  EXPECT_NE(v.data(), before);
  ASSERT_EQ(v.size(), size + 1);
  EXPECT_EQ(v.back().a, item(3).a);
  EXPECT_EQ(v.back().c, item(3).c);
  EXPECT_TRUE(holds_items(v, size));
  if (page == after) munmap(page, 4096);
}
#endif

TEST(GrowableArray, ACopyHoldsTheSizeAndContentsAndIsIndependent) {
  for (std::size_t n : {std::size_t{0}, std::size_t{3}, 3 * kHugePage / sizeof(Item)}) {
    GrowableArray<Item> v;
    v.reserve(n + 1000);
    for (std::size_t i = 0; i < n; ++i) v.push_back(item(i));
    GrowableArray<Item> copy(v);
    ASSERT_EQ(copy.size(), n);
    EXPECT_LE(copy.capacity(), v.capacity());
    EXPECT_TRUE(holds_items(copy, n));
    if (n > 0) {
      copy[0].a = 12345;
      EXPECT_EQ(v[0].a, 0u);
    }
    GrowableArray<Item> moved(std::move(copy));
    EXPECT_EQ(moved.size(), n);
    EXPECT_TRUE(copy.empty());
    GrowableArray<Item> assigned;
    assigned = v;
    EXPECT_TRUE(holds_items(assigned, n));
  }
}

TEST(GrowableArray, ResizeValueInitialisesAndKeepsTheCapacityWhenShrinking) {
  GrowableArray<Item> v;
  v.push_back(item(0));
  v.resize(kHugePage / sizeof(Item) + 5);
  EXPECT_TRUE(holds_items(v, 1));
  for (std::size_t i = 1; i < v.size(); ++i) {
    ASSERT_EQ(v[i].a, 7u);
    ASSERT_EQ(v[i].b, 9u);
    ASSERT_EQ(v[i].c, 11u);
  }
  const std::size_t capacity = v.capacity();
  v.resize(2);
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(v.capacity(), capacity);
  v[1].a = 1;
  v.resize(3);
  EXPECT_EQ(v[2].a, 7u);
  v.pop_back();
  EXPECT_EQ(v.back().a, 1u);
  v.clear();
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.capacity(), capacity);
}

// A large block counts the huge pages its contents have reached, not its whole capacity.
TEST(GrowableArray, ResidentBytesFollowTheHighestSize) {
  GrowableArray<Item> v;
  v.reserve(4 * kHugePage / sizeof(Item));
  EXPECT_EQ(v.block_bytes(), 4 * kHugePage);
  EXPECT_EQ(v.resident_bytes(), 0u);
  v.resize(kHugePage / sizeof(Item) + 1);
  EXPECT_EQ(v.resident_bytes(), 2 * kHugePage);
  v.clear();
  EXPECT_EQ(v.resident_bytes(), 2 * kHugePage);  // written once, still held
  GrowableArray<Item> small;
  small.push_back(item(0));
  EXPECT_EQ(small.resident_bytes(), small.block_bytes());
}

TEST(GrowableArray, AnImpossibleReserveThrowsAndLeavesTheArrayAsItWas) {
  GrowableArray<Item> v;
  for (std::size_t i = 0; i < 100; ++i) v.push_back(item(i));
  EXPECT_THROW(v.reserve(static_cast<std::size_t>(-1) / sizeof(Item)), std::bad_alloc);
  EXPECT_THROW(v.reserve(std::size_t{1} << 50), std::bad_alloc);  // 16 PiB of Items: more than any machine maps
  ASSERT_EQ(v.size(), 100u);
  EXPECT_TRUE(holds_items(v, 100));
}
