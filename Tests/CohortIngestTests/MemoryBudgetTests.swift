import CohortIngest
import Foundation
import Testing

/// Admission by estimated memory.
@Suite struct MemoryBudgetTests {
    @Test func reservationsNeverExceedTheBudget() {
        var budget = MemoryBudget(total: 100)
        let first = budget.reserve(60)
        let second = budget.reserve(50)
        #expect(first && !second)
        #expect(budget.reserved == 60)
        budget.release(60)
        let whole = budget.reserve(100)
        #expect(whole)
        #expect(!budget.canEverFit(101) && budget.canEverFit(100))
    }

    @Test func aSecondLargeFileWaitsUntilTheFirstReleasesItsMemory() async throws {
        let state = IngestState(pipelines: PipelineSet(pipelines: []), memoryBudget: 100)
        await state.reserveMemory(70)
        let admitted = Counter()
        let waiter = Task {
            await state.reserveMemory(50)
            admitted.increment()
        }
        for _ in 0..<1_000 { await Task.yield() }
        #expect(admitted.value == 0)
        #expect(await state.memoryReserved == 70)
        await state.releaseMemory(70)
        await waiter.value
        #expect(admitted.value == 1)
        #expect(await state.memoryReserved == 50)
    }

    @Test func theAutomaticBudgetReadsTheCgroupLimit() throws {
        let scratch = ScratchDirectory("cgroup")
        let root = scratch.path
        try "0::/system.slice/cohortd.service\n".write(toFile: root + "/cgroup", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/fs/system.slice/cohortd.service", withIntermediateDirectories: true)
        try "4294967296\n".write(toFile: root + "/fs/system.slice/cohortd.service/memory.max", atomically: true, encoding: .utf8)
        #expect(MemoryBudget.automatic(cgroupFile: root + "/cgroup", root: root + "/fs") == 4_294_967_296 / 100 * 85)
        try "max\n".write(toFile: root + "/fs/system.slice/cohortd.service/memory.max", atomically: true, encoding: .utf8)
        #expect(MemoryBudget.automatic(cgroupFile: root + "/cgroup", root: root + "/fs") == 3 << 30)
    }
}
